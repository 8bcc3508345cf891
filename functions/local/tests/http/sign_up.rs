//! Who may create a restaurant: anyone by default; only with the code where one is set. And the
//! signing key the local server makes is its owner's alone.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_problem, restaurant_json, spawn_app, spawn_app_with};

const CODE: &str = "opening-night-2026";

fn new_restaurant(slug: &str, code: Option<&str>) -> serde_json::Value {
    let mut body = json!({"restaurant": restaurant_json(slug),
        "owner": {"email": format!("owner@{slug}.test"), "name": "Owner", "password": "correct horse battery"}});
    if let Some(code) = code {
        body["sign_up_code"] = json!(code);
    }
    body
}

#[tokio::test]
async fn sign_up_without_the_code_is_refused_where_one_is_set() {
    let app = spawn_app_with(|config| config.sign_up_code = Some(CODE.into())).await;
    let response = app.send(Method::POST, "/v1/restaurants", None, &new_restaurant("coded", None)).await;
    assert_problem(response, StatusCode::FORBIDDEN, "sign_up_code_invalid").await;
    let response = app.request(Method::GET, "/v1/restaurants/coded", None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "nothing was created");
}

#[tokio::test]
async fn sign_up_with_a_wrong_code_is_refused() {
    let app = spawn_app_with(|config| config.sign_up_code = Some(CODE.into())).await;
    let response = app.send(Method::POST, "/v1/restaurants", None, &new_restaurant("coded", Some("guess"))).await;
    assert_problem(response, StatusCode::FORBIDDEN, "sign_up_code_invalid").await;
}

#[tokio::test]
async fn sign_up_with_the_code_creates_the_restaurant() {
    let app = spawn_app_with(|config| config.sign_up_code = Some(CODE.into())).await;
    let response = app.send(Method::POST, "/v1/restaurants", None, &new_restaurant("coded", Some(CODE))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn sign_up_is_open_where_no_code_is_set() {
    let app = spawn_app().await;
    let response = app.send(Method::POST, "/v1/restaurants", None, &new_restaurant("open", None)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_signing_key_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    for file in ["signing-key.json", "upload-secret"] {
        let mode = std::fs::metadata(app.data_dir().join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[tokio::test]
async fn a_login_from_before_a_key_rotation_still_works_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let first = spawn_app_with(|config| config.data_dir = dir.clone()).await;
    let token = first.sign_up("rotated").await;
    bistro_local::server::rotate_signing_key(&dir).unwrap();

    let second = spawn_app_with(|config| config.data_dir = dir.clone()).await;
    let response = second.request(Method::GET, "/v1/restaurants/rotated/me", Some(&token)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let fresh = second.login("rotated", "owner@rotated.test", "correct horse battery").await;
    assert_ne!(kid(&fresh), kid(&token), "new logins are signed with the new key");
}

fn kid(token: &str) -> String {
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
    serde_json::from_slice::<serde_json::Value>(&header).unwrap()["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_sign_up_code_longer_than_any_code_is_refused_even_where_sign_up_is_open() {
    let app = spawn_app().await;
    let long = "x".repeat(201);
    let response = app.send(Method::POST, "/v1/restaurants", None, &new_restaurant("long-code", Some(&long))).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_sign_up_code").await;
}
