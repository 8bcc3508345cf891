//! How Bistro's AWS clients are configured: region and credentials from the environment, and TLS
//! that trusts Amazon's root certificate authorities only.
//!
//! Why not the system's trust store: loading and parsing it (about 140 certificates) would be most
//! of every function's init (the bench's cold-start section counts init's instructions).
//! Every endpoint Bistro calls (DynamoDB, S3, API Gateway's management API) presents a chain to
//! Amazon Trust Services, whose four roots (valid until 2038 and later) are compiled in here. The
//! Starfield root that cross-signs them is left out: a path ends at the first trusted Amazon root.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

const AMAZON_ROOTS: &str = include_str!("../certs/amazon-trust-services.pem");

/// The HTTPS client every AWS client of a function shares (plain HTTP too, for emulators).
pub fn https_client() -> SharedHttpClient {
    let trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(AMAZON_ROOTS.as_bytes());
    #[allow(clippy::expect_used)] // The certificates are compiled in; a test parses them.
    let tls = TlsContext::builder().with_trust_store(trust).build().expect("the compiled-in roots parse");
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(tls)
        .build_https()
}

/// Region and credentials found as the AWS CLI finds them (environment, profiles, SSO, instance
/// roles): for a developer's tools, such as `bistro-keys`, and the local server.
pub async fn load_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).http_client(https_client()).load().await
}

/// Region and credentials from the environment, where Lambda always puts them. Named rather than
/// left to the default chains, which at every start build an STS client and look in profile
/// files, the container and the instance metadata service, all of it work at every cold start.
pub async fn lambda_config() -> SdkConfig {
    use aws_config::environment::{EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider};
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .region(EnvironmentVariableRegionProvider::new())
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .load()
        .await
}

/// For an emulator such as moto server: its endpoint, a fixed region, dummy credentials.
pub async fn emulator_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new("test", "test", None, None, "static"))
        .load()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_amazons_four() {
        assert_eq!(AMAZON_ROOTS.matches("-----BEGIN CERTIFICATE-----").count(), 4);
        let _client = https_client();
    }
}
