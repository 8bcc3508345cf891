//! Staff tokens are Ed25519-signed with a key id; rotating the key logs nobody out, and nothing
//! but a token one of the accepted keys signed with EdDSA gets through.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bistro_api::auth::Auth;
use bistro_api::signing::{KeyError, KeyRing, PublicKeySource, PublicKeys};
use bistro_domain::restaurant::Role;
use bistro_testkit::fixtures;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn owner() -> bistro_domain::restaurant::Account {
    fixtures::account("roma", "owner@roma.test", Role::Owner)
}

/// The parts of a token, decoded.
fn parts(token: &str) -> (Value, Value) {
    let mut pieces = token.split('.').map(|part| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()));
    (pieces.next().unwrap().unwrap(), pieces.next().unwrap().unwrap())
}

fn forge(header: &Value, claims: &Value, signature: &str) -> String {
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
    format!("{}.{}.{signature}", encode(header), encode(claims))
}

#[tokio::test]
async fn a_token_names_its_key_and_is_signed_with_eddsa() {
    let ring = KeyRing::generate().unwrap();
    let token = Auth::with_key_ring(&ring).unwrap().issue(&owner()).await.unwrap();
    let (header, claims) = parts(&token);
    assert_eq!((header["alg"].as_str(), header["kid"].as_str()), (Some("EdDSA"), Some(ring.current_kid())));
    assert_eq!(claims["rst"], "roma");
}

#[tokio::test]
async fn a_token_signed_before_a_rotation_verifies_after_it() {
    let before = KeyRing::generate().unwrap();
    let token = Auth::with_key_ring(&before).unwrap().issue(&owner()).await.unwrap();
    let after = Auth::with_key_ring(&before.rotated(2_000_000_000).unwrap()).unwrap();
    assert_eq!(after.verify(&token).await.unwrap().restaurant.as_str(), "roma");
}

#[tokio::test]
async fn a_verifier_with_only_the_public_keys_accepts_the_issuers_tokens() {
    let ring = KeyRing::generate().unwrap();
    let token = Auth::with_key_ring(&ring).unwrap().issue(&owner()).await.unwrap();
    let verifier = Auth::verifying_with(&ring.public_keys().unwrap()).unwrap();
    assert_eq!(verifier.verify(&token).await.unwrap().role, Role::Owner);
}

#[tokio::test]
async fn a_host_that_verifies_only_cannot_issue() {
    let ring = KeyRing::generate().unwrap();
    let verifier = Auth::verifying_with(&ring.public_keys().unwrap()).unwrap();
    assert!(verifier.issue(&owner()).await.is_err());
}

#[tokio::test]
async fn a_token_with_an_unknown_key_id_is_refused() {
    let ring = KeyRing::generate().unwrap();
    let token = Auth::with_key_ring(&ring).unwrap().issue(&owner()).await.unwrap();
    let (mut header, claims) = parts(&token);
    header["kid"] = json!("someone-elses-key");
    let signature = token.rsplit('.').next().unwrap();
    let auth = Auth::with_key_ring(&ring).unwrap();
    assert!(auth.verify(&forge(&header, &claims, signature)).await.is_err());
}

#[tokio::test]
async fn a_token_of_another_deployments_key_is_refused() {
    let token = Auth::with_key_ring(&KeyRing::generate().unwrap()).unwrap().issue(&owner()).await.unwrap();
    let ours = Auth::with_key_ring(&KeyRing::generate().unwrap()).unwrap();
    assert!(ours.verify(&token).await.is_err());
}

#[tokio::test]
async fn a_token_with_alg_none_is_refused() {
    let ring = KeyRing::generate().unwrap();
    let token = Auth::with_key_ring(&ring).unwrap().issue(&owner()).await.unwrap();
    let (_, claims) = parts(&token);
    let header = json!({"alg": "none", "typ": "JWT", "kid": ring.current_kid()});
    let auth = Auth::with_key_ring(&ring).unwrap();
    assert!(auth.verify(&forge(&header, &claims, "")).await.is_err());
}

#[tokio::test]
async fn a_token_signed_hs256_with_the_public_key_is_refused() {
    let ring = KeyRing::generate().unwrap();
    let auth = Auth::with_key_ring(&ring).unwrap();
    let (_, claims) = parts(&auth.issue(&owner()).await.unwrap());
    let public: Value = serde_json::from_str(&ring.public_keys().unwrap().to_json()).unwrap();
    let x = public["keys"][0]["x"].as_str().unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(ring.current_kid().to_owned());
    // Both the raw key and its text form, as an attacker would try them.
    for secret in [URL_SAFE_NO_PAD.decode(x).unwrap(), x.as_bytes().to_vec()] {
        let forged = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret)).unwrap();
        assert!(auth.verify(&forged).await.is_err());
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let ring = KeyRing::generate().unwrap();
    let auth = Auth::with_key_ring(&ring).unwrap();
    let (header, mut claims) = parts(&auth.issue(&owner()).await.unwrap());
    claims["exp"] = json!(1_000_000);
    let header: Header = serde_json::from_value(header).unwrap();
    let der = serde_json::from_str::<Value>(&ring.to_json()).unwrap()["current"]["pkcs8"].as_str().unwrap().to_owned();
    let key = EncodingKey::from_ed_der(&URL_SAFE_NO_PAD.decode(der).unwrap());
    let expired = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    assert!(auth.verify(&expired).await.is_err());
}

/// A published set that changes when the test says, counting its reads.
#[derive(Debug)]
struct Published {
    keys: std::sync::Mutex<Option<PublicKeys>>,
    reads: AtomicUsize,
}

impl Published {
    fn of(ring: &KeyRing) -> Arc<Self> {
        Arc::new(Self { keys: std::sync::Mutex::new(Some(ring.public_keys().unwrap())), reads: AtomicUsize::new(0) })
    }
}

#[async_trait::async_trait]
impl PublicKeySource for Published {
    async fn public_keys(&self) -> Result<Option<PublicKeys>, KeyError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.keys.lock().unwrap().clone())
    }
}

#[tokio::test]
async fn a_verifier_reads_the_published_keys_again_when_a_token_names_a_new_one() {
    let before = KeyRing::generate().unwrap();
    let published = Published::of(&before);
    let verifier = Auth::from_sources(None, published.clone());
    let old = Auth::with_key_ring(&before).unwrap().issue(&owner()).await.unwrap();
    assert!(verifier.verify(&old).await.is_ok());

    let after = before.rotated(2_000_000_000).unwrap();
    *published.keys.lock().unwrap() = Some(after.public_keys().unwrap());
    let new = Auth::with_key_ring(&after).unwrap().issue(&owner()).await.unwrap();

    assert!(verifier.verify(&new).await.is_ok(), "the rotation is noticed without a restart");
    assert!(verifier.verify(&old).await.is_ok(), "and the replaced key still verifies");
    assert_eq!(published.reads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn made_up_key_ids_do_not_make_a_verifier_read_on_every_request() {
    let ring = KeyRing::generate().unwrap();
    let published = Published::of(&ring);
    let verifier = Auth::from_sources(None, published.clone());
    let (mut header, claims) = parts(&Auth::with_key_ring(&ring).unwrap().issue(&owner()).await.unwrap());
    for n in 0..20 {
        header["kid"] = json!(format!("made-up-{n}"));
        assert!(verifier.verify(&forge(&header, &claims, "c2ln")).await.is_err());
    }
    assert_eq!(published.reads.load(Ordering::SeqCst), 2, "the first read, and one re-read for an unknown key");
}

/// A source that is down for its first two reads.
#[derive(Debug)]
struct DownAtFirst {
    keys: PublicKeys,
    reads: AtomicUsize,
}

#[async_trait::async_trait]
impl PublicKeySource for DownAtFirst {
    async fn public_keys(&self) -> Result<Option<PublicKeys>, KeyError> {
        match self.reads.fetch_add(1, Ordering::SeqCst) {
            0 | 1 => Err(KeyError::Unavailable("the table is not answering".into())),
            _ => Ok(Some(self.keys.clone())),
        }
    }
}

#[tokio::test]
async fn a_verifier_whose_reads_failed_reads_again_at_the_next_token_once_the_source_is_back() {
    let ring = KeyRing::generate().unwrap();
    let source = Arc::new(DownAtFirst { keys: ring.public_keys().unwrap(), reads: AtomicUsize::new(0) });
    let verifier = Auth::from_sources(None, source);
    let token = Auth::with_key_ring(&ring).unwrap().issue(&owner()).await.unwrap();

    for _ in 0..2 {
        let down = verifier.verify(&token).await;
        assert!(matches!(down, Err(bistro_api::ApiError::Unavailable(_))), "a 503, not 'log in again': {down:?}");
    }
    assert!(verifier.verify(&token).await.is_ok(), "no waiting out a re-read interval once the source answers");
}
