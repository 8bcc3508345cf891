//! The menu function: configuration from the environment, clients built once, then serve.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

/// mimalloc: a tenth fewer instructions to place an order than with glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bistro_lambda::run_http(bistro_api::routes::menu::router(), bistro_lambda::Tokens::Verify).await
}
