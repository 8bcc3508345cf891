//! `cargo run -p bistro-local`: configuration from flags and the environment, then serve.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

use std::process::ExitCode;

use bistro_local::{LocalConfig, serve};

/// `bistro-local backup --data DIR --to NEW_DIR` / `bistro-local restore --from DIR --data DIR`.
fn backup_or_restore(args: &[String]) -> Option<ExitCode> {
    let command = args.first()?.as_str();
    if !matches!(command, "backup" | "restore") {
        return None;
    }
    let flag = |name: &str| args.windows(2).find(|pair| pair[0] == name).map(|pair| std::path::PathBuf::from(&pair[1]));
    let progress = |step: &str| eprintln!("  {step}");
    let done = match (command, flag("--data"), flag("--to"), flag("--from")) {
        ("backup", Some(data), Some(to), _) => bistro_local::backup::backup(&data, &to, progress),
        ("restore", Some(data), _, Some(from)) => bistro_local::backup::restore(&from, &data, progress),
        _ => {
            eprintln!(
                "usage: bistro-local backup --data DIR --to NEW_DIR\n       bistro-local restore --from BACKUP_DIR --data DIR"
            );
            return Some(ExitCode::from(2));
        }
    };
    Some(match done {
        Ok(summary) => {
            println!("{command}: {summary}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bistro-local {command}: {error}");
            ExitCode::FAILURE
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    bistro_api::telemetry::init_terminal_logs();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = backup_or_restore(&args) {
        return code;
    }
    if let Some(done) = bistro_local::admin::run(&args).await {
        return match done {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("bistro-local {}: {error}", args[0]);
                ExitCode::FAILURE
            }
        };
    }
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
