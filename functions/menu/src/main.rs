//! The menu function: configuration from the environment, clients built once, then serve.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    bistro_lambda::run_http(bistro_api::routes::menu::router(), bistro_lambda::Tokens::Verify).await
}
