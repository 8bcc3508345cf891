//! The menu function: configuration from the environment, clients built once, then serve.

/// mimalloc: with glibc's allocator, malloc and free were a tenth of a placement's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bistro_lambda::run_http(bistro_api::routes::menu::router(), bistro_lambda::Tokens::Verify).await
}
