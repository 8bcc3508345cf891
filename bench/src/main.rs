//! `scripts/bench` builds what is measured and runs this: it measures Bistro and writes
//! `docs/PERFORMANCE.md` and `docs/performance.json` (machine-readable, to compare two runs).
//!
//! `bistro-bench [--load-seconds N] [--skip cold,callgrind,warm,sizes,load,page,resume,moving] [--out DIR]`: measure
//! and write the report (into `docs/` unless `--out` says elsewhere).
//! `bistro-bench cost [--write]`: the cost model from `docs/performance.json` and the synthesized
//! templates in `target/cdk.out`, printed; with `--write`, also stored into `performance.json`
//! (after a change of the stacks alone; `render` then rewrites the report).
//! `bistro-bench compare OLD.json NEW.json`: two runs side by side (each report also compares
//! itself with the `performance.json` it replaces).
//! `bistro-bench render PREVIOUS.json`: writes `docs/PERFORMANCE.md` again from
//! `docs/performance.json`, compared with PREVIOUS.json, without measuring (after a change of
//! the report's wording).
//! `bistro-bench page [--write]`: only the audit of the guest's first page, printed; with `--write`,
//! also stored into `performance.json` (after a change of the pages alone; `render` then rewrites
//! the report).
//! `bistro-bench moving [--write]`: only the timing of moving a restaurant of 10,000 orders
//! (export and import, SQLite and moto), printed; with `--write`, also stored.
//! `bistro-bench units`: only the request units, printed (quick, to check a change of the key design).
//! `bistro-bench resume`: only the timing of a board's 1,000-event resume in the release `ws`, printed.
//! `bistro-bench warm OPERATION N`: what callgrind runs to count instructions per warm request.

mod cold_start;
mod compare;
mod cost;
mod fixture;
mod load;
mod moving;
mod page;
mod paid;
mod report;
mod request_units;
mod resume;
mod sizes;
mod warm;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Results {
    date: String,
    machine: String,
    request_units: request_units::RequestUnits,
    /// Absent from runs before orders could be paid online.
    #[serde(default)]
    paid: Option<paid::PaidOrder>,
    cold_start: Option<Vec<cold_start::ColdStart>>,
    warm: Option<Vec<warm::WarmRequest>>,
    sizes: Option<Vec<sizes::Size>>,
    load: Option<load::Load>,
    /// Absent from runs before the page was audited.
    #[serde(default)]
    page: Option<page::PageAudit>,
    /// Absent from runs before the resume was timed.
    #[serde(default)]
    resume: Option<resume::Resume>,
    /// Absent from runs before moving a restaurant was timed.
    #[serde(default)]
    moving: Option<moving::Moving>,
    cost: Option<cost::Cost>,
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn markdown(results: &Results) -> String {
    let mut out = format!(
        "# Performance\n\nWritten by `scripts/bench`; the same figures are in `performance.json`, to compare two runs. Measured {} on {}.\n\n",
        results.date, results.machine
    );
    out += &request_units::section(&results.request_units);
    if let Some(paid) = &results.paid {
        out += &paid::section(paid);
    }
    if let Some(starts) = &results.cold_start {
        out += &cold_start::section(starts);
    }
    if let Some(warm) = &results.warm {
        out += &warm::section(warm);
    }
    out += &sizes::section(results.sizes.as_deref());
    if let Some(load) = &results.load {
        out += &load::section(load);
    }
    if let Some(page) = &results.page {
        out += &page::section(page);
    }
    if let Some(resume) = &results.resume {
        out += &resume::section(resume);
    }
    if let Some(moving) = &results.moving {
        out += &moving::section(moving);
    }
    if let Some(cost) = &results.cost {
        out += &cost::section(cost);
    }
    out
}

async fn measure(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let load_seconds: u64 = flag("--load-seconds").map_or(Ok(15), |s| s.parse())?;
    let skip = flag("--skip").unwrap_or_default();
    let wanted = |part: &str| !skip.split(',').any(|s| s == part);
    let release = workspace().join("target/release");

    let request_units = request_units::measure().await?;
    let paid = Some(paid::measure().await?);
    let cold_start =
        if wanted("cold") { Some(cold_start::measure(&release, wanted("callgrind")).await?) } else { None };
    let warm = if wanted("warm") { Some(warm::measure(&std::env::current_exe()?).await?) } else { None };
    let sizes = if wanted("sizes") { sizes::measure(&workspace().join("target/lambda/arm64"))? } else { None };
    let load = if wanted("load") {
        Some(load::measure(&release.join("bistro-local"), Duration::from_secs(load_seconds)).await?)
    } else {
        None
    };
    let page =
        if wanted("page") { Some(page::measure(&release.join("bistro-local"), &workspace()).await?) } else { None };
    let resume = if wanted("resume") { Some(resume::measure(&release).await?) } else { None };
    let moving = if wanted("moving") { Some(moving::measure().await?) } else { None };
    let mut results = Results {
        date: report::today(),
        machine: report::machine(),
        request_units,
        paid,
        cold_start,
        warm,
        sizes,
        load,
        page,
        resume,
        moving,
        cost: None,
    };
    results.cost = cost::model(&results, &workspace()).map_err(|e| eprintln!("cost model left out: {e}")).ok();

    let docs = flag("--out").map_or_else(|| workspace().join("docs"), PathBuf::from);
    let previous =
        read_results(&docs.join("performance.json")).map_err(|e| eprintln!("no comparison with a previous run: {e}"));
    let report = with_comparison(&results, previous.ok().as_ref());
    std::fs::create_dir_all(&docs)?;
    std::fs::write(docs.join("performance.json"), serde_json::to_string_pretty(&results)? + "\n")?;
    std::fs::write(docs.join("PERFORMANCE.md"), &report)?;
    print!("{report}");
    Ok(())
}

fn with_comparison(results: &Results, previous: Option<&Results>) -> String {
    markdown(results) + &previous.map(|previous| compare::section(previous, results)).unwrap_or_default()
}

fn read_results(path: &Path) -> Result<Results, Box<dyn std::error::Error>> {
    let json = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&json).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// With `--write`, stores one part measured alone into `docs/performance.json` (`render` then
/// rewrites the report from it).
fn write_one_part(args: &[String], store: impl FnOnce(&mut Results)) -> Result<(), Box<dyn std::error::Error>> {
    if args.get(1).is_some_and(|a| a == "--write") {
        let path = workspace().join("docs/performance.json");
        let mut results = read_results(&path)?;
        store(&mut results);
        std::fs::write(&path, serde_json::to_string_pretty(&results)? + "\n")?;
    }
    Ok(())
}

/// The Lambda functions' allocator (each function's `main.rs` sets it), so the instructions counted
/// per request are what they run; the local server, measured under load, keeps glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("warm") => {
            let operation = args.get(1).ok_or("warm OPERATION N")?;
            let n = args.get(2).ok_or("warm OPERATION N")?.parse()?;
            warm::command(operation, n)
        }
        Some("cost") => {
            let path = workspace().join("docs/performance.json");
            let mut results = read_results(&path)?;
            let model = cost::model(&results, &workspace())?;
            print!("{}", cost::section(&model));
            if args.get(1).is_some_and(|a| a == "--write") {
                results.cost = Some(model);
                std::fs::write(&path, serde_json::to_string_pretty(&results)? + "\n")?;
            }
            Ok(())
        }
        Some("page") => {
            let release = workspace().join("target/release");
            let runtime = tokio::runtime::Runtime::new()?;
            let audit = runtime.block_on(page::measure(&release.join("bistro-local"), &workspace()))?;
            print!("{}", page::section(&audit));
            write_one_part(&args, |results| results.page = Some(audit))
        }
        Some("resume") => {
            let release = workspace().join("target/release");
            let resume = tokio::runtime::Runtime::new()?.block_on(resume::measure(&release))?;
            print!("{}", resume::section(&resume));
            write_one_part(&args, |results| results.resume = Some(resume))
        }
        Some("moving") => {
            let moving = tokio::runtime::Runtime::new()?.block_on(moving::measure())?;
            print!("{}", moving::section(&moving));
            write_one_part(&args, |results| results.moving = Some(moving))
        }
        Some("paid") => {
            let paid = tokio::runtime::Runtime::new()?.block_on(paid::measure())?;
            print!("{}", paid::section(&paid));
            write_one_part(&args, |results| results.paid = Some(paid))
        }
        Some("units") => {
            let units = tokio::runtime::Runtime::new()?.block_on(request_units::measure())?;
            print!("{}", request_units::section(&units));
            write_one_part(&args, |results| results.request_units = units)
        }
        Some("render") => {
            let previous = read_results(Path::new(args.get(1).ok_or("render PREVIOUS.json")?))?;
            let docs = workspace().join("docs");
            let results = read_results(&docs.join("performance.json"))?;
            std::fs::write(docs.join("PERFORMANCE.md"), with_comparison(&results, Some(&previous)))?;
            Ok(())
        }
        Some("compare") => {
            let [old, new] = [args.get(1), args.get(2)].map(|a| a.ok_or("compare OLD.json NEW.json"));
            print!("{}", compare::section(&read_results(Path::new(old?))?, &read_results(Path::new(new?))?));
            Ok(())
        }
        _ => tokio::runtime::Runtime::new()?.block_on(measure(&args)),
    }
}
