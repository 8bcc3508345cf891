//! `bistro-keys`: rotates the staff-token signing key and sets the sign-up code (see `--help`).

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

use std::io::Read as _;
use std::process::ExitCode;

use bistro_lambda::keys::Command;

#[tokio::main]
async fn main() -> ExitCode {
    let command = match Command::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut input = String::new();
    let reads_input = matches!(command, Command::SetSignUpCode { .. } | Command::AcceptOriginSecret { .. });
    if reads_input && std::io::stdin().read_to_string(&mut input).is_err() {
        eprintln!("bistro-keys: cannot read the secret from standard input");
        return ExitCode::FAILURE;
    }
    match command.run(&bistro_store::engine::dynamodb::load_aws_config().await, &input).await {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bistro-keys: {error}");
            ExitCode::FAILURE
        }
    }
}
