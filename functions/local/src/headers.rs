//! The security headers every answer carries, as CloudFront adds them on AWS: read from the very
//! file the CDK site stack deploys (cdk/lib/security-headers.json), so the two cannot drift.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;

const SECURITY_HEADERS: &str = include_str!("../../../cdk/lib/security-headers.json");

/// The headers, parsed once; a malformed file is a build mistake a test catches.
pub fn security_headers() -> HeaderMap {
    let pairs: std::collections::BTreeMap<String, String> = serde_json::from_str(SECURITY_HEADERS).unwrap_or_default();
    pairs
        .into_iter()
        .filter_map(|(name, value)| Some((HeaderName::try_from(name).ok()?, HeaderValue::try_from(value).ok()?)))
        .collect()
}

/// Adds each header the answer does not set itself.
pub fn with_security_headers(headers: &HeaderMap, mut response: Response) -> Response {
    for (name, value) in headers {
        if !response.headers().contains_key(name) {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_the_site_stack_deploys_gives_every_header() {
        let headers = super::security_headers();
        assert_eq!(headers.len(), 4);
        assert!(headers["content-security-policy"].to_str().expect("text").contains("frame-ancestors 'none'"));
    }
}
