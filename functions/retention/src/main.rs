//! The retention function: a daily schedule → guests' personal data past its period erased.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    bistro_lambda::run_retention().await
}
