//! The ws function: API Gateway WebSocket `$connect`, `$disconnect` and `$default`.

/// mimalloc: with glibc's allocator, malloc and free were a tenth of a placement's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    bistro_lambda::run_ws().await
}
