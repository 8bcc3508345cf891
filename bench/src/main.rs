//! `cargo run --release -p bistro-bench`: measures and writes `docs/PERFORMANCE.md` and
//! `docs/performance.json` (machine-readable, to compare two runs).
//!
//! Measured so far: the DynamoDB request units each API operation consumes, computed from the
//! items it actually reads and writes, by driving the real API over a metering store.

mod request_units;

use std::path::Path;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let units = request_units::measure().await?;
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    std::fs::create_dir_all(&docs)?;
    std::fs::write(docs.join("performance.json"), serde_json::to_string_pretty(&units)?)?;
    std::fs::write(docs.join("PERFORMANCE.md"), request_units::report(&units))?;
    print!("{}", request_units::report(&units));
    Ok(())
}
