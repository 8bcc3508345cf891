//! The ws function: API Gateway WebSocket `$connect`, `$disconnect` and `$default`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    bistro_lambda::run_ws().await
}
