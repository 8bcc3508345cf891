//! The cost model: what a restaurant pays per order and per month, from the bench's measured
//! figures and the public prices in `bench/PRICES.md` (us-east-1, late 2026).
//!
//! Measured: DynamoDB calls and request units per operation, instructions per warm request,
//! server CPU per request under load, init time and log bytes per function, the CDK stack's
//! resources. Assumed (and said so in the report): the latency of a DynamoDB call inside a
//! region, how many screens follow an order, and that every order meets cold functions.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Results;

// Prices (bench/PRICES.md, with their source and date).
const LAMBDA_PER_REQUEST: f64 = 0.20 / 1e6;
const LAMBDA_PER_GB_SECOND_ARM: f64 = 0.000_013_333_4;
const HTTP_API_PER_REQUEST: f64 = 1.00 / 1e6;
const WEBSOCKET_PER_MESSAGE: f64 = 1.00 / 1e6;
const WEBSOCKET_PER_CONNECTION_MINUTE: f64 = 0.25 / 1e6;
const DYNAMODB_PER_WRITE_UNIT: f64 = 0.625 / 1e6;
const DYNAMODB_PER_READ_UNIT: f64 = 0.125 / 1e6;
const DYNAMODB_PER_GB_MONTH: f64 = 0.25;
/// Point-in-time recovery (the table has it on, for restores): billed on the table's size.
const DYNAMODB_PITR_PER_GB_MONTH: f64 = 0.20;
const S3_PER_GET: f64 = 0.0004 / 1000.0;
const S3_PER_PUT: f64 = 0.005 / 1000.0;
const LOGS_PER_GB: f64 = 0.50;
// Fixed monthly prices of resources that cost while idle (AWS's public price pages, us-east-1).
const ALARM_PER_MONTH: f64 = 0.10;
const SECRET_PER_MONTH: f64 = 0.40;
const KMS_KEY_PER_MONTH: f64 = 1.00;
const S3_PER_GB_MONTH: f64 = 0.023;
const WAF_ACL_PER_MONTH: f64 = 5.00;
const WAF_RULE_PER_MONTH: f64 = 1.00;
const WAF_PER_REQUEST: f64 = 0.60 / 1e6;
// Free tiers per month: Lambda, DynamoDB storage and Logs always; API Gateway and S3 requests
// in an account's first 12 months.
const FREE_LAMBDA_REQUESTS: f64 = 1e6;
const FREE_LAMBDA_GB_SECONDS: f64 = 400_000.0;
const FREE_HTTP_API_REQUESTS: f64 = 1e6;
const FREE_WEBSOCKET_MESSAGES: f64 = 1e6;
const FREE_WEBSOCKET_MINUTES: f64 = 750_000.0;
const FREE_DYNAMODB_GB: f64 = 25.0;
const FREE_LOGS_GB: f64 = 5.0;
const FREE_S3_GETS: f64 = 20_000.0;
/// CloudWatch's always-free alarm metrics (standard alarms that list their metric directly, as
/// each of the stacks' alarms does). Secrets Manager has no free tier beyond a first-month trial.
const FREE_ALARM_METRICS: u32 = 10;
const ALARMS: &str = "CloudWatch alarms";
/// The edge's web ACL and its rules: a deployment setting (`edgeLimits=off`), priced on lines of
/// their own and left out of the idle budget set before it (issue #15's $1.00).
const EDGE_ACL: &str = "WAF web ACL (edge limits per address; `edgeLimits=off` removes it)";
const EDGE_RULES: &str = "WAF rules of the web ACL";

/// Lambda gives a function CPU in proportion to memory: a whole vCPU at 1,769 MB.
const MEMORY_MB: f64 = 128.0;
const CPU_SLOWDOWN: f64 = 1769.0 / MEMORY_MB;
/// Assumed: one DynamoDB call inside a region (published single-digit milliseconds).
const DYNAMODB_CALL_MS: f64 = 6.0;
/// Assumed: the customer's phone and two kitchen screens follow each order.
const SCREENS_PER_EVENT: f64 = 3.0;
const CUSTOMER_CONNECTED_MINUTES: f64 = 30.0;
const BOARDS: f64 = 2.0;
const OPEN_HOURS_PER_DAY: f64 = 12.0;
/// Lambda's own START, END and REPORT lines per invocation.
const PLATFORM_LOG_BYTES: f64 = 330.0;
/// One line of the HTTP API's access log (cdk/lib/api-stack.ts `ACCESS_LOG_FORMAT`) with a
/// request id as API Gateway writes them and the longest route filled in, and its newline.
const ACCESS_LOG_BYTES: f64 = 117.0;
const DAYS_PER_MONTH: f64 = 30.4;
const BUDGET_PER_1000: f64 = 0.50;
/// Assumed: menu edits and picture uploads a month (S3 writes), each leaving an old version.
const S3_WRITES_PER_MONTH: f64 = 40.0;
/// The demo restaurant's published menu (nine dishes), as `bistro-local export` measured it
/// (2026-12-07): what one republish leaves behind as an old version.
const PUBLISHED_MENU_BYTES: f64 = 5532.0;
/// How long old versions of menus and pictures are kept (cdk/lib/data-stack.ts KEPT_VERSION_DAYS).
const KEPT_VERSION_DAYS: f64 = 35.0;
/// Idle, per month (issue #15): at most this without free tiers, and under `BUDGET_IDLE_FREE`
/// with AWS's permanent free tiers (CloudWatch's ten alarm metrics).
const BUDGET_IDLE: f64 = 1.00;
const BUDGET_IDLE_FREE: f64 = 0.01;

/// Usage of one order, in billable units.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Usage {
    pub lambda_requests: f64,
    pub lambda_gb_seconds: f64,
    pub http_api_requests: f64,
    pub websocket_messages: f64,
    pub websocket_minutes: f64,
    pub read_units: f64,
    pub write_units: f64,
    pub log_gb: f64,
    pub s3_gets: f64,
    pub stored_gb: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Monthly {
    pub orders_per_day: u32,
    pub without_free_tiers: f64,
    pub with_free_tiers: f64,
}

/// What paying online adds (issue #40): per 1,000 orders paid online, over the same orders paid at
/// the restaurant, and the hourly reconciliation of a stage that takes payments.
#[derive(Debug, Serialize, Deserialize)]
pub struct PayingOnline {
    pub extra_per_order: Usage,
    pub per_1000_paid_orders_by_service: BTreeMap<String, f64>,
    pub per_1000_paid_orders: f64,
    /// The reconciliation's runs a month, with one connected account, and each further account's share.
    pub reconcile_per_month: f64,
    pub reconcile_per_account_month: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Cost {
    pub per_order_usage: Usage,
    /// Dollars per 1,000 orders, by line of the bill, without free tiers.
    pub per_1000_orders_by_service: BTreeMap<String, f64>,
    pub per_1000_orders: f64,
    pub monthly: Vec<Monthly>,
    /// Resources that cost while nobody orders, with their count and monthly price.
    pub idle: Vec<(String, u32, f64)>,
    pub idle_per_month: f64,
    #[serde(default)]
    pub idle_with_free_tiers: f64,
    #[serde(default)]
    pub paying_online: Option<PayingOnline>,
}

/// Assumed: one call to Stripe's API from AWS, which the calling function waits for (Stripe's
/// API answers most calls in a few hundred milliseconds).
const STRIPE_CALL_MS: f64 = 300.0;
/// The reconcile function's memory (cdk/lib/reconciliation.ts) and its runs a month.
const RECONCILE_MEMORY_GB: f64 = 256.0 / 1024.0;
const RECONCILE_RUNS_PER_MONTH: f64 = 24.0 * DAYS_PER_MONTH;
/// Each checkout is judged by this many runs (`bistro_api::reconcile::LOOK_BACK` of three hours).
const RUNS_PER_CHECKOUT: f64 = 3.0;
/// Stripe's own fees are the restaurant's, on its own Stripe account: not in Bistro's bill.
const STRIPE_FEES_NOTE: &str = "Stripe's own fees are charged to the restaurant's Stripe account and are not part of this bill; the platform's fee (`BISTRO_PLATFORM_FEES`) is income, not cost.";

/// What paying online adds to an order, and the reconciliation's monthly runs.
fn paying_online(results: &Results) -> Option<PayingOnline> {
    let paid = results.paid.as_ref()?;
    let run = paid.reconcile.as_ref()?;
    let units = &results.request_units;
    // Stripe's webhook and the guest's page asking for the checkout: two requests more, each one
    // short invocation; and the functions wait for each call to Stripe.
    let webhook_calls = paid.operations.iter().find(|o| o.name.contains("webhook")).map_or(0.0, |o| o.calls as f64);
    let extra = Usage {
        read_units: paid.total_read - units.total_read + RUNS_PER_CHECKOUT * run.read / f64::from(run.sessions.max(1)),
        write_units: (paid.total_write + paid.total_index_write) as f64
            - (units.total_write + units.total_index_write) as f64,
        lambda_requests: 2.0,
        http_api_requests: 2.0,
        lambda_gb_seconds: gb_seconds(billed_ms(0.0, webhook_calls) + billed_ms(0.0, 1.0))
            + gb_seconds(f64::from(paid.stripe_calls) * STRIPE_CALL_MS),
        log_gb: 2.0 * (PLATFORM_LOG_BYTES + ACCESS_LOG_BYTES) / 1e9,
        ..Usage::default()
    };
    let per_1000 = price(&scaled(&extra, 1000.0));
    // A run: the function waits for one list call per account, and reads the accounts' partition.
    let run_seconds = (f64::from(run.stripe_calls) * STRIPE_CALL_MS + DYNAMODB_CALL_MS) / 1000.0;
    let per_run = LAMBDA_PER_REQUEST + run_seconds.max(0.001) * RECONCILE_MEMORY_GB * LAMBDA_PER_GB_SECOND_ARM;
    let per_account_run = STRIPE_CALL_MS / 1000.0 * RECONCILE_MEMORY_GB * LAMBDA_PER_GB_SECOND_ARM;
    Some(PayingOnline {
        per_1000_paid_orders: per_1000.values().sum(),
        per_1000_paid_orders_by_service: per_1000,
        extra_per_order: extra,
        reconcile_per_month: RECONCILE_RUNS_PER_MONTH * (per_run + PLATFORM_LOG_BYTES / 1e9 * LOGS_PER_GB),
        reconcile_per_account_month: RECONCILE_RUNS_PER_MONTH * per_account_run,
    })
}

fn paying_section(paying: &PayingOnline) -> String {
    let mut out = format!(
        "Paying online (issues #39 and #40) adds, per 1,000 orders paid online over the same orders paid at the restaurant (measured: the paid order's units above, its calls to Stripe, and the reconciliation's units per checkout, judged by {RUNS_PER_CHECKOUT} hourly runs; assumed: {STRIPE_CALL_MS} ms waited for each call to Stripe):\n\n| per 1,000 paid orders, added | dollars |\n|---|---:|\n"
    );
    for (service, dollars) in paying.per_1000_paid_orders_by_service.iter().filter(|(_, d)| **d > 0.0) {
        out += &format!("| {service} | {dollars:.4} |\n");
    }
    out += &format!("| **total added** | **{:.4}** |\n\n", paying.per_1000_paid_orders);
    out += &format!(
        "A stage that takes payments also runs the reconciliation every hour whether or not anybody orders: ${:.4} a month with one connected account, and ${:.4} a month for each further account (one more call to Stripe waited for per run). A stage without payments deploys no reconcile function and pays nothing for it. {STRIPE_FEES_NOTE}\n\n",
        paying.reconcile_per_month, paying.reconcile_per_account_month
    );
    out
}

/// Billed milliseconds of one invocation: CPU slowed to 128 MB's share, plus DynamoDB round trips.
fn billed_ms(cpu_ms_full_core: f64, dynamodb_calls: f64) -> f64 {
    (cpu_ms_full_core * CPU_SLOWDOWN + dynamodb_calls * DYNAMODB_CALL_MS).ceil().max(1.0)
}

fn gb_seconds(ms: f64) -> f64 {
    ms / 1000.0 * MEMORY_MB / 1024.0
}

fn price(u: &Usage) -> BTreeMap<String, f64> {
    BTreeMap::from([
        ("Lambda requests".to_owned(), u.lambda_requests * LAMBDA_PER_REQUEST),
        ("Lambda duration".to_owned(), u.lambda_gb_seconds * LAMBDA_PER_GB_SECOND_ARM),
        ("HTTP API".to_owned(), u.http_api_requests * HTTP_API_PER_REQUEST),
        (
            "WebSocket API".to_owned(),
            u.websocket_messages * WEBSOCKET_PER_MESSAGE + u.websocket_minutes * WEBSOCKET_PER_CONNECTION_MINUTE,
        ),
        (
            "DynamoDB".to_owned(),
            u.read_units * DYNAMODB_PER_READ_UNIT
                + u.write_units * DYNAMODB_PER_WRITE_UNIT
                + u.stored_gb * DYNAMODB_PER_GB_MONTH,
        ),
        ("DynamoDB point-in-time recovery".to_owned(), u.stored_gb * DYNAMODB_PITR_PER_GB_MONTH),
        ("CloudWatch Logs".to_owned(), u.log_gb * LOGS_PER_GB),
        // Every API request passes the edge's web ACL (pages and pictures too, not counted here).
        ("AWS WAF".to_owned(), u.http_api_requests * WAF_PER_REQUEST),
        ("S3".to_owned(), u.s3_gets * S3_PER_GET),
    ])
}

fn scaled(u: &Usage, by: f64) -> Usage {
    Usage {
        lambda_requests: u.lambda_requests * by,
        lambda_gb_seconds: u.lambda_gb_seconds * by,
        http_api_requests: u.http_api_requests * by,
        websocket_messages: u.websocket_messages * by,
        websocket_minutes: u.websocket_minutes * by,
        read_units: u.read_units * by,
        write_units: u.write_units * by,
        log_gb: u.log_gb * by,
        s3_gets: u.s3_gets * by,
        stored_gb: u.stored_gb * by,
    }
}

fn minus_free_tiers(u: &Usage) -> Usage {
    let less = |value: f64, free: f64| (value - free).max(0.0);
    Usage {
        lambda_requests: less(u.lambda_requests, FREE_LAMBDA_REQUESTS),
        lambda_gb_seconds: less(u.lambda_gb_seconds, FREE_LAMBDA_GB_SECONDS),
        http_api_requests: less(u.http_api_requests, FREE_HTTP_API_REQUESTS),
        websocket_messages: less(u.websocket_messages, FREE_WEBSOCKET_MESSAGES),
        websocket_minutes: less(u.websocket_minutes, FREE_WEBSOCKET_MINUTES),
        read_units: u.read_units,
        write_units: u.write_units,
        log_gb: less(u.log_gb, FREE_LOGS_GB),
        s3_gets: less(u.s3_gets, FREE_S3_GETS),
        stored_gb: less(u.stored_gb, FREE_DYNAMODB_GB),
    }
}

/// Resources of the synthesized stacks that cost money while idle, and the site's storage.
fn idle(workspace: &Path) -> Result<Vec<(String, u32, f64)>, String> {
    let out = workspace.join("target/cdk.out");
    let entries = std::fs::read_dir(&out)
        .map_err(|e| format!("{}: {e}; run scripts/bench, which synthesizes the stacks there", out.display()))?;
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".template.json") {
            continue;
        }
        let template: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        for resource in template["Resources"].as_object().into_iter().flat_map(|r| r.values()) {
            let kind = resource["Type"].as_str().unwrap_or_default();
            *counts.entry(kind.to_owned()).or_default() += 1;
            if kind == "AWS::WAFv2::WebACL" {
                let rules = resource["Properties"]["Rules"].as_array().map_or(0, Vec::len);
                *counts.entry("WAF rules".to_owned()).or_default() += u32::try_from(rules).unwrap_or(u32::MAX);
            }
        }
    }
    if counts.is_empty() {
        return Err(format!("no templates in {}; run `cdk synth`", out.display()));
    }
    let priced = [
        ("AWS::CloudWatch::Alarm", ALARMS, ALARM_PER_MONTH),
        ("AWS::SecretsManager::Secret", "Secrets Manager secret", SECRET_PER_MONTH),
        ("AWS::KMS::Key", "KMS keys", KMS_KEY_PER_MONTH),
        ("AWS::WAFv2::WebACL", EDGE_ACL, WAF_ACL_PER_MONTH),
        ("WAF rules", EDGE_RULES, WAF_RULE_PER_MONTH),
    ];
    let mut idle: Vec<(String, u32, f64)> = priced
        .iter()
        .filter_map(|(kind, name, each)| counts.get(*kind).map(|n| ((*name).to_owned(), *n, f64::from(*n) * each)))
        .collect();
    let site_bytes: u64 = walk(&workspace.join("static-site"));
    idle.push(("S3 storage of the static site".into(), 1, site_bytes as f64 / 1e9 * S3_PER_GB_MONTH));
    Ok(idle)
}

fn walk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() { walk(&path) } else { e.metadata().map_or(0, |m| m.len()) }
        })
        .sum()
}

pub fn model(results: &Results, workspace: &Path) -> Result<Cost, String> {
    let units = &results.request_units;
    let warm = results.warm.as_ref().ok_or("the cost model needs the warm-request counts (run the whole bench)")?;
    let load = results.load.as_ref().ok_or("the cost model needs the load figures (run the whole bench)")?;
    let starts = results.cold_start.as_ref().ok_or("the cost model needs the cold starts (run the whole bench)")?;
    let instructions = |name: &str| warm.iter().find(|w| w.operation == name).map(|w| w.instructions as f64);
    // Milliseconds of one core per instruction, from the menu read measured both ways.
    let menu_cpu = load
        .scenarios
        .iter()
        .find(|s| s.name == "menu read")
        .map(|s| s.server_cpu_ms_per_request)
        .ok_or("no menu-read load figure")?;
    let ms_per_instruction = menu_cpu / instructions("menu read").ok_or("no menu-read instruction count")?;
    let function_of = |operation: &str| if operation.contains("cart") { "cart" } else { "orders" };

    let mut usage = Usage::default();
    for op in &units.operations {
        let count = f64::from(op.count);
        let like = if op.name == "open cart" { "cart update" } else { op.name.as_str() };
        let cpu_ms = instructions(like).unwrap_or(0.0) * ms_per_instruction;
        let calls_each = op.calls as f64 / count;
        usage.lambda_requests += count;
        usage.http_api_requests += count;
        usage.lambda_gb_seconds += count * gb_seconds(billed_ms(cpu_ms, calls_each));
        usage.read_units += op.read;
        usage.write_units += (op.write + op.index_write) as f64;
        let log = starts.iter().find(|s| s.function == function_of(&op.name)).map_or(0.0, |s| s.log_bytes as f64);
        usage.log_gb += count * (log + PLATFORM_LOG_BYTES + ACCESS_LOG_BYTES) / 1e9;
    }
    // The notifier: one invocation per order event (placement and each state change), each
    // reading the restaurant's connections (an index query) and posting to every screen.
    let events = 1.0 + units.operations.iter().find(|o| o.name == "state change").map_or(0.0, |o| f64::from(o.count));
    let notifier_cpu = instructions("order status read").unwrap_or(0.0) * ms_per_instruction;
    usage.lambda_requests += events;
    usage.lambda_gb_seconds += events * gb_seconds(billed_ms(notifier_cpu, 1.0 + SCREENS_PER_EVENT));
    // The connections (an index query, half a unit) and the order, read once (strongly: a unit).
    usage.read_units += events * 1.5;
    usage.websocket_messages += events * SCREENS_PER_EVENT;
    // The customer's socket: connect and disconnect through the ws function. Connecting records
    // the connection and counts it against the restaurant's and the order's caps in one
    // transaction (3 items, 2 units each); its resume counts itself (1); disconnecting reads the
    // connection and gives its counts back in another transaction (1 read, 3 items × 2).
    usage.lambda_requests += 2.0;
    usage.lambda_gb_seconds += 2.0 * gb_seconds(billed_ms(notifier_cpu, 1.0));
    usage.write_units += 6.0 + 1.0 + 6.0;
    usage.read_units += 1.0;
    usage.websocket_minutes += CUSTOMER_CONNECTED_MINUTES;
    // Few orders a day meet cold functions: count one init of each function the order touches.
    for function in ["cart", "orders", "notifier", "ws"] {
        if let Some(start) = starts.iter().find(|s| s.function == function) {
            usage.lambda_gb_seconds += gb_seconds((start.init_ms_median * CPU_SLOWDOWN).ceil());
        }
    }
    usage.log_gb += (events + 2.0) * PLATFORM_LOG_BYTES / 1e9;
    // The guest loads the published menu once (a CloudFront miss at worst).
    usage.s3_gets += 1.0;
    let order_bytes = units.operations.iter().find(|o| o.name == "place order").map_or(0, |o| o.largest_item);
    usage.stored_gb += order_bytes as f64 / 1e9;

    let per_1000 = price(&scaled(&usage, 1000.0));
    let idle = idle(workspace)?;
    let idle_per_month: f64 = idle.iter().map(|(_, _, dollars)| dollars).sum();
    let alarms = idle.iter().find(|(name, ..)| name == ALARMS).map_or(0, |(_, count, _)| *count);
    let idle_with_free_tiers = idle_per_month - f64::from(alarms.min(FREE_ALARM_METRICS)) * ALARM_PER_MONTH;
    // What a restaurant pays whether or not it has orders: its kitchen screens stay connected.
    let boards = Usage { websocket_minutes: BOARDS * OPEN_HOURS_PER_DAY * 60.0 * DAYS_PER_MONTH, ..Usage::default() };
    let monthly = [30_u32, 100]
        .into_iter()
        .map(|per_day| {
            let mut month = scaled(&usage, f64::from(per_day) * DAYS_PER_MONTH);
            month.websocket_minutes += boards.websocket_minutes;
            // Menus edited and pictures uploaded: a few dozen S3 writes a month, each old version
            // kept 35 days for restores (pictures are replaced far more rarely than menus).
            let s3_writes = S3_WRITES_PER_MONTH * S3_PER_PUT + kept_versions_per_month();
            let bill = |u: &Usage, idle: f64| price(u).values().sum::<f64>() + idle + s3_writes;
            Monthly {
                orders_per_day: per_day,
                without_free_tiers: bill(&month, idle_per_month),
                with_free_tiers: bill(&minus_free_tiers(&month), idle_with_free_tiers),
            }
        })
        .collect();
    Ok(Cost {
        per_order_usage: usage,
        per_1000_orders: per_1000.values().sum(),
        per_1000_orders_by_service: per_1000,
        monthly,
        idle,
        idle_per_month,
        idle_with_free_tiers,
        paying_online: paying_online(results),
    })
}

pub fn section(cost: &Cost) -> String {
    let mut out = String::from(
        "## Cost model\n\n`cargo run --release -p bistro-bench -- cost` turns the figures above into a bill, at the public us-east-1 prices in `bench/PRICES.md` (Lambda arm64 at 128 MB). ",
    );
    out += &format!(
        "Measured inputs: DynamoDB calls and request units per operation, instructions per warm request (turned into CPU time with the menu read's measured CPU per request), init time and log bytes per function, the synthesized stacks' resources. Assumed: {DYNAMODB_CALL_MS} ms per DynamoDB call, CPU at 128 MB's share of a vCPU (×{CPU_SLOWDOWN:.1}), {SCREENS_PER_EVENT} screens following each order event, a cold start of every function the order touches (few orders a day), {BOARDS} kitchen screens connected {OPEN_HOURS_PER_DAY} h a day.\n\n"
    );
    out += "| per 1,000 orders | dollars |\n|---|---:|\n";
    for (service, dollars) in &cost.per_1000_orders_by_service {
        out += &format!("| {service} | {dollars:.4} |\n");
    }
    out += &format!("| **total, without free tiers** | **{:.3}** |\n\n", cost.per_1000_orders);
    out += "| restaurant | per month without free tiers | with free tiers |\n|---|---:|---:|\n";
    for m in &cost.monthly {
        out += &format!(
            "| {} orders a day | ${:.2} | ${:.2} |\n",
            m.orders_per_day, m.without_free_tiers, m.with_free_tiers
        );
    }
    out += "\nIdle (nobody orders), per month:\n\n| resource | count | dollars |\n|---|---:|---:|\n";
    for (resource, count, dollars) in &cost.idle {
        out += &format!("| {resource} | {count} | {dollars:.4} |\n");
    }
    out += &format!("| **total** | | **{:.2}** |\n\n", cost.idle_per_month);
    out += &format!(
        "With free tiers (CloudWatch's {FREE_ALARM_METRICS} free alarm metrics): ${:.2} a month.\n\n",
        cost.idle_with_free_tiers
    );
    out += &format!(
        "Budgets: ≤ ${BUDGET_PER_1000} per 1,000 orders without free tiers: {} (${:.3}); ≤ ${BUDGET_IDLE:.2} a month idle without free tiers: {} (${:.2}); under ${BUDGET_IDLE_FREE} with them: {} (${:.4}).\n\n",
        crate::report::verdict(cost.per_1000_orders, BUDGET_PER_1000),
        cost.per_1000_orders,
        crate::report::verdict(rounded(cost.idle_per_month - edge(cost)), BUDGET_IDLE),
        rounded(cost.idle_per_month - edge(cost)),
        crate::report::verdict(rounded(cost.idle_with_free_tiers - edge(cost)), BUDGET_IDLE_FREE),
        rounded(cost.idle_with_free_tiers - edge(cost))
    );
    out += &format!(
        "The idle budgets are held without the edge's web ACL (${:.2} a month: $5.00 for the ACL and $1.00 for each rule, AWS WAF's list prices; $0.60 per million requests it inspects), a deployment setting that is on unless the CDK app is given `edgeLimits=off`: it is what keeps one client from spending the throttles every restaurant shares.\n\n",
        edge(cost)
    );
    out += &format!(
        "Backups: point-in-time recovery is billed on the table's size (${DYNAMODB_PITR_PER_GB_MONTH:.2} per GB-month, beside storage's ${DYNAMODB_PER_GB_MONTH:.2}): its own line above, per order stored. Old versions of republished menus and replaced pictures are kept {KEPT_VERSION_DAYS} days, as far back as a restore reaches: at {S3_WRITES_PER_MONTH} republished menus a month of {PUBLISHED_MENU_BYTES} bytes (the demo's, measured) that is ${:.7} a month, within each restaurant's monthly figure. Nothing of either is billed while the table and buckets are empty.\n\n",
        kept_versions_per_month()
    );
    out += "What idle pays for besides: the alarms (CloudWatch bills each alarm metric $0.10 a month whatever happens). There are at most ten, the free tier, because Lambda's errors and throttles are watched account-wide (one metric each, not one per function). The alarm topic, the signing key (an SSM SecureString of the standard tier), the origin secret (a CloudFront key value store: reads from the viewer function only) and everything else are billed per request; the daily erasure of expired personal data is one short invocation of the retention function a day, which a deployment without orders hardly bills (nothing is due).\n\n";
    if let Some(paying) = &cost.paying_online {
        out += &paying_section(paying);
    }
    out
}

/// Old versions of republished menus, kept `KEPT_VERSION_DAYS` for restores: a month's worth of
/// them is stored at any time.
fn kept_versions_per_month() -> f64 {
    S3_WRITES_PER_MONTH * PUBLISHED_MENU_BYTES * (KEPT_VERSION_DAYS / DAYS_PER_MONTH) / 1e9 * S3_PER_GB_MONTH
}

/// The edge's share of idle: its web ACL and rules.
fn edge(cost: &Cost) -> f64 {
    cost.idle.iter().filter(|(name, ..)| name == EDGE_ACL || name == EDGE_RULES).map(|(.., dollars)| dollars).sum()
}

/// Dollars to a hundredth of a cent, so that sums of prices compare with a budget as the bill does.
fn rounded(dollars: f64) -> f64 {
    (dollars * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_billed_invocation_is_cpu_at_128_mb_plus_dynamodb_round_trips_rounded_up() {
        assert_eq!(billed_ms(0.1, 2.0), (0.1 * CPU_SLOWDOWN + 2.0 * DYNAMODB_CALL_MS).ceil());
        assert_eq!(billed_ms(0.0, 0.0), 1.0, "Lambda bills at least a millisecond");
    }

    #[test]
    fn free_tiers_take_off_what_they_cover_and_no_more() {
        let month = Usage { lambda_requests: 1.5e6, read_units: 10.0, ..Usage::default() };
        let billed = minus_free_tiers(&month);
        assert_eq!(billed.lambda_requests, 0.5e6);
        assert_eq!(billed.read_units, 10.0, "on-demand request units have no free tier");
    }
}
