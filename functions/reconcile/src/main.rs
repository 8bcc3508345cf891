//! The reconcile function: an hourly schedule → payments Stripe took set against orders recorded.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

bistro_lambda::function_allocator!();

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    bistro_lambda::run_reconcile().await
}
