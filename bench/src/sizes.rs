//! Binary sizes of the arm64 functions `scripts/build-lambdas` built: stripped, and zipped as
//! Lambda receives them.

use std::path::Path;

use serde::{Deserialize, Serialize};

const STRIPPED_BUDGET_MB: f64 = 9.0;
const ZIPPED_BUDGET_MB: f64 = 4.0;

#[derive(Debug, Serialize, Deserialize)]
pub struct Size {
    pub function: String,
    pub stripped_bytes: u64,
    pub zipped_bytes: u64,
}

/// The size of `bootstrap` deflated at level 9, as the CDK asset zip holds it.
fn zipped(path: &Path) -> Result<u64, String> {
    let script = "import io, sys, zipfile\nb = io.BytesIO()\nwith zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z: z.write(sys.argv[1], 'bootstrap')\nprint(len(b.getvalue()))";
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    String::from_utf8_lossy(&output.stdout).trim().parse().map_err(|_| format!("cannot zip {}", path.display()))
}

/// `None` when the arm64 build is missing.
pub fn measure(lambda_dir: &Path) -> Result<Option<Vec<Size>>, String> {
    let mut sizes = Vec::new();
    for (function, _) in crate::cold_start::FUNCTIONS {
        let path = lambda_dir.join(function).join("bootstrap");
        let Ok(metadata) = std::fs::metadata(&path) else { return Ok(None) };
        sizes.push(Size {
            function: function.to_owned(),
            stripped_bytes: metadata.len(),
            zipped_bytes: zipped(&path)?,
        });
    }
    Ok(Some(sizes))
}

pub fn section(sizes: Option<&[Size]>) -> String {
    let mut out = String::from("## Binary sizes (arm64)\n\n");
    let Some(sizes) = sizes else {
        return out + "Not measured: run `scripts/build-lambdas` first (`scripts/bench` does).\n\n";
    };
    out += "Each function's `bootstrap` as `scripts/build-lambdas` builds it (`cargo lambda build --release --arm64`), and zipped at level 9 as in the deployment package.\n\n| function | stripped MB | zipped MB |\n|---|---:|---:|\n";
    let mb = |bytes: u64| bytes as f64 / 1e6;
    for s in sizes {
        out += &format!("| {} | {:.2} | {:.2} |\n", s.function, mb(s.stripped_bytes), mb(s.zipped_bytes));
    }
    let largest = sizes.iter().map(|s| s.stripped_bytes).max().unwrap_or(0);
    let largest_zip = sizes.iter().map(|s| s.zipped_bytes).max().unwrap_or(0);
    out += &format!(
        "\nBudgets: ≤ {STRIPPED_BUDGET_MB} MB stripped: {} (largest {:.2} MB); ≤ {ZIPPED_BUDGET_MB} MB zipped: {} (largest {:.2} MB).\n\n",
        crate::report::verdict(mb(largest), STRIPPED_BUDGET_MB),
        mb(largest),
        crate::report::verdict(mb(largest_zip), ZIPPED_BUDGET_MB),
        mb(largest_zip)
    );
    out += "How they got here (arm64 builds on this machine): every function used to link S3, a second crypto library (aws-lc beside ring) and SigV4a, and the HTTP functions weighed 12.05 MB stripped, 5.49 MB zipped. Dropping aws-lc and SigV4a and linking S3 only into menu and accounts (one step): cart 8.97 / 4.06 MB, menu 10.21 / 4.56 MB. Then the SDK crates at opt-level \"s\": cart 8.80 / 3.99 MB, menu 9.74 / 4.38 MB. Then each function naming its route group at compile time, so it links no other group: menu 9.06 / 4.04 MB, cart 7.79 / 3.51 MB. Then logs filtered by per-target levels instead of `EnvFilter`, which dropped the regex engine: menu 8.68 / 3.86 MB, cart 7.41 / 3.33 MB. Then mimalloc as the allocator: menu 9.04 / 4.02 MB, accounts 9.53 / 4.23 MB. Then debug and trace events compiled out (`release_max_level_info`, nearly all of them the SDK's): menu 8.37 / 3.84 MB, accounts 8.82 / 4.04 MB. Tried and dropped: the S3-only crates (checksums, CRCs, MD5, SHA-1) at opt-level \"s\" made menu larger (9.062 → 9.071 MB); the SDK's runtime crates (aws-smithy-runtime, -runtime-api, -types, -http, aws-runtime, aws-sigv4) at opt-level \"s\" brought accounts to 8.44 / 3.88 MB but its first request to 6.5 % more instructions (1.89 M against 1.77 M; menu's 5.5 % more). ";
    if mb(largest) > STRIPPED_BUDGET_MB || mb(largest_zip) > ZIPPED_BUDGET_MB {
        out += "What still misses: accounts carries the S3 client (about 1.3 MB, menu against cart) only to publish the menu after a settings change, and the SSM client to issue tokens. Publishing from the table's stream, in a function of its own, is the next step.";
    }
    out + "\n\n"
}
