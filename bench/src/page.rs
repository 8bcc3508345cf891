//! The guest's first page as Lighthouse sees it: the demo table page `/r/trattoria-demo/t/4`
//! served by the release local server, audited by Lighthouse (pinned in `bench/lighthouse`,
//! mobile, its simulated slow 4G and mid-range phone) in Debian's Chromium.
//!
//! The first load is what the page transfers before pictures (compressed, with headers): what a
//! guest at a table waits for on a phone.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::{thousands, verdict, verdict_at_least};

/// #17's budgets: every category 100, LCP at most 1.5 s, the first load at most 25 KB.
const SCORE: f64 = 100.0;
const LCP_MS: f64 = 1500.0;
const FIRST_LOAD_BYTES: f64 = 25_000.0;

pub const PAGE: &str = "/r/trattoria-demo/t/4";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageAudit {
    pub lighthouse: String,
    pub performance: u32,
    pub accessibility: u32,
    pub best_practices: u32,
    pub seo: u32,
    pub lcp_ms: f64,
    /// Bytes transferred before pictures: documents, styles, scripts and fetched JSON.
    pub first_load_bytes: u64,
    pub requests: u32,
    /// Audits that scored below full marks, by id, for the report to name.
    pub short_of_full: Vec<String>,
}

/// Audits the demo table page on `binary` (the release local server, which seeds the demo).
pub async fn measure(binary: &Path, workspace: &Path) -> Result<PageAudit, String> {
    let site = workspace.join("static-site");
    let server = crate::load::start_server(binary, &["--static", &site.to_string_lossy()]).await?;
    let url = format!("http://{}{PAGE}", server.addr);
    let out = tempfile::Builder::new().prefix("bistro-lighthouse-").tempdir().map_err(|e| e.to_string())?;
    let report = out.path().join("report.json");
    let chrome = std::env::var("CHROME_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let status = Command::new("npx")
        .current_dir(workspace.join("bench/lighthouse"))
        .env("CHROME_PATH", &chrome)
        .args(["--no-install", "lighthouse", &url, "--quiet", "--output=json"])
        .arg(format!("--output-path={}", report.display()))
        .arg("--only-categories=performance,accessibility,best-practices,seo")
        // As the browser tests start Chromium: this machine's network is closed.
        .arg("--chrome-flags=--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync")
        .status()
        .map_err(|e| format!("cannot run lighthouse: {e}; scripts/bench installs it into bench/lighthouse"))?;
    drop(server);
    if !status.success() {
        return Err(format!("lighthouse failed ({status}); is Chromium at {chrome}?"));
    }
    let json = std::fs::read_to_string(&report).map_err(|e| e.to_string())?;
    parse(&serde_json::from_str(&json).map_err(|e| e.to_string())?)
}

/// The figures of a Lighthouse JSON report.
fn parse(report: &Value) -> Result<PageAudit, String> {
    let score = |category: &str| {
        report["categories"][category]["score"]
            .as_f64()
            .map(|s| (s * 100.0).round() as u32)
            .ok_or_else(|| format!("the report has no {category} score"))
    };
    let audits = &report["audits"];
    let requests = audits["network-requests"]["details"]["items"].as_array().cloned().unwrap_or_default();
    let first_load_bytes =
        requests.iter().filter(|r| r["resourceType"] != "Image").map(|r| r["transferSize"].as_u64().unwrap_or(0)).sum();
    let mut short_of_full = Vec::new();
    for category in report["categories"].as_object().into_iter().flat_map(|c| c.values()) {
        for reference in category["auditRefs"].as_array().into_iter().flatten() {
            let id = reference["id"].as_str().unwrap_or_default();
            let weighted = reference["weight"].as_f64().unwrap_or(0.0) > 0.0;
            if weighted && audits[id]["score"].as_f64().is_some_and(|s| s < 1.0) {
                short_of_full.push(id.to_owned());
            }
        }
    }
    Ok(PageAudit {
        lighthouse: report["lighthouseVersion"].as_str().unwrap_or("?").to_owned(),
        performance: score("performance")?,
        accessibility: score("accessibility")?,
        best_practices: score("best-practices")?,
        seo: score("seo")?,
        lcp_ms: audits["largest-contentful-paint"]["numericValue"].as_f64().ok_or("the report has no LCP")?,
        first_load_bytes,
        requests: u32::try_from(requests.len()).unwrap_or(u32::MAX),
        short_of_full,
    })
}

pub fn section(audit: &PageAudit) -> String {
    let row = |name: &str, value: String, budget: &str, verdict: String| {
        format!("| {name} | {value} | {budget} | {verdict} |\n")
    };
    let mut out = format!(
        "## The guest's first page (Lighthouse)\n\nLighthouse {} (mobile: simulated slow 4G and a mid-range phone) in Debian's Chromium, on the demo table page `{PAGE}` served by the release local server. The first load is every request but pictures, compressed, headers included ({} requests).\n\n| figure | measured | budget (#17) | verdict |\n|---|---:|---:|---|\n",
        audit.lighthouse, audit.requests
    );
    for (name, value) in [
        ("performance", audit.performance),
        ("accessibility", audit.accessibility),
        ("best practices", audit.best_practices),
        ("SEO", audit.seo),
    ] {
        out += &row(name, value.to_string(), "100", verdict_at_least(f64::from(value), SCORE));
    }
    out +=
        &row("largest contentful paint", format!("{:.0} ms", audit.lcp_ms), "1,500 ms", verdict(audit.lcp_ms, LCP_MS));
    out += &row(
        "first load before pictures",
        format!("{} bytes", thousands(audit.first_load_bytes)),
        "25,000 bytes",
        verdict(audit.first_load_bytes as f64, FIRST_LOAD_BYTES),
    );
    if !audit.short_of_full.is_empty() {
        out += &format!("\nAudits short of full marks: {}.\n", audit.short_of_full.join(", "));
    }
    out + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(performance: f64, image_bytes: u64) -> Value {
        serde_json::json!({
            "lighthouseVersion": "12.2.3",
            "categories": {
                "performance": {"score": performance, "auditRefs": [{"id": "largest-contentful-paint", "weight": 25}]},
                "accessibility": {"score": 1.0, "auditRefs": [{"id": "target-size", "weight": 7}, {"id": "unweighted", "weight": 0}]},
                "best-practices": {"score": 1.0, "auditRefs": []},
                "seo": {"score": 0.91, "auditRefs": []}
            },
            "audits": {
                "largest-contentful-paint": {"score": 0.98, "numericValue": 1802.4},
                "target-size": {"score": 1},
                "unweighted": {"score": 0},
                "network-requests": {"details": {"items": [
                    {"resourceType": "Document", "transferSize": 674},
                    {"resourceType": "Script", "transferSize": 4347},
                    {"resourceType": "Image", "transferSize": image_bytes}
                ]}}
            }
        })
    }

    #[test]
    fn the_first_load_counts_every_request_but_pictures() {
        let audit = parse(&report(1.0, 90_000)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((audit.first_load_bytes, audit.requests), (5021, 3));
    }

    #[test]
    fn scores_are_percentages_and_weighted_audits_short_of_full_marks_are_named() {
        let audit = parse(&report(0.99, 0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((audit.performance, audit.seo), (99, 91));
        assert_eq!(audit.short_of_full, vec!["largest-contentful-paint".to_owned()]);
    }

    #[test]
    fn a_slow_paint_and_a_heavy_page_are_reported_as_missed() {
        let mut audit = parse(&report(1.0, 0)).unwrap_or_else(|e| panic!("{e}"));
        audit.first_load_bytes = 30_000;
        let section = section(&audit);
        assert!(
            section.contains("| largest contentful paint | 1802 ms | 1,500 ms | **missed by 20 %** |"),
            "{section}"
        );
        assert!(
            section.contains("| first load before pictures | 30,000 bytes | 25,000 bytes | **missed by 20 %** |"),
            "{section}"
        );
    }
}
