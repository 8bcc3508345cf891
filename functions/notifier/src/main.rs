//! The notifier function: the table's DynamoDB Stream → live order updates over WebSockets.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    bistro_lambda::run_notifier().await
}
