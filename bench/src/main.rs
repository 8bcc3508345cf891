//! `scripts/bench` (or `cargo run --release -p bistro-bench`): measures Bistro and writes
//! `docs/PERFORMANCE.md` and `docs/performance.json` (machine-readable, to compare two runs).

mod fixture;
mod load;
mod report;
mod request_units;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

#[derive(Debug, Serialize)]
struct Results {
    date: String,
    machine: String,
    request_units: request_units::RequestUnits,
    load: Option<load::Load>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let load_seconds: u64 = flag("--load-seconds").map_or(Ok(15), |s| s.parse())?;
    let release = workspace().join("target/release");

    let request_units = request_units::measure().await?;
    let load = if load_seconds > 0 {
        Some(load::measure(&release.join("bistro-local"), Duration::from_secs(load_seconds)).await?)
    } else {
        None
    };
    let results = Results { date: report::today(), machine: report::machine(), request_units, load };

    let mut markdown = format!(
        "# Performance\n\nWritten by `scripts/bench`; the same figures are in `performance.json`. Measured {} on {}.\n\n",
        results.date, results.machine
    );
    markdown += &request_units::section(&results.request_units);
    if let Some(load) = &results.load {
        markdown += &load::section(load);
    }
    let docs = workspace().join("docs");
    std::fs::create_dir_all(&docs)?;
    std::fs::write(docs.join("performance.json"), serde_json::to_string_pretty(&results)? + "\n")?;
    std::fs::write(docs.join("PERFORMANCE.md"), &markdown)?;
    print!("{markdown}");
    Ok(())
}
