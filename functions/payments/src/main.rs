//! The payments function: configuration from the environment, clients built once, then serve.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

bistro_lambda::function_allocator!();

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bistro_lambda::run_http(bistro_api::routes::payments::router(), bistro_lambda::Tokens::Verify).await
}
