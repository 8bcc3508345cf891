//! `cargo run -p bistro-local`: configuration from flags and the environment, then serve.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

use std::process::ExitCode;

use bistro_local::{LocalConfig, serve};

#[tokio::main]
async fn main() -> ExitCode {
    bistro_api::telemetry::init_terminal_logs();
    let config = match LocalConfig::from_args(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if config.rotate_signing_key {
        return match bistro_local::server::rotate_signing_key(&config.data_dir) {
            Ok(ring) => {
                println!("signing with key {} now; restart the server to use it", ring.current_kid());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("bistro-local: {error}");
                ExitCode::FAILURE
            }
        };
    }
    match serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bistro-local: {error}");
            ExitCode::FAILURE
        }
    }
}
