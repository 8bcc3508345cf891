//! Every operation the OpenAPI document marks as needing a staff token, walked from the document
//! itself: a new route is held to its tenant and role check without anyone adding it here.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, json_of, spawn_app, spawn_paying_app};

const ROLES: [&str; 4] = ["owner", "manager", "staff", "driver"];

/// One operation that takes a bearer token, and the roles its document says it lets in.
struct Guarded {
    method: Method,
    path: String,
    roles: Vec<String>,
}

/// The document's guarded operations, with `{slug}` set to `slug` and every other path
/// parameter to an id that names nothing.
async fn guarded(app: &TestApp, slug: &str) -> Vec<Guarded> {
    let document = json_of(app.get("/v1/openapi.json", None).await).await;
    let mut found = Vec::new();
    for (template, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(requirements) = operation["security"].as_array() else { continue };
            let Some(roles) = requirements.iter().find_map(|r| r.get("bearer")) else { continue };
            let path = template
                .split('/')
                .map(|segment| match segment {
                    "{slug}" => slug,
                    s if s.starts_with('{') => "nothing-here",
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            found.push(Guarded {
                method: method.to_uppercase().parse().expect("method"),
                path,
                roles: roles.as_array().expect("scopes").iter().map(|r| r.as_str().expect("role").to_owned()).collect(),
            });
        }
    }
    assert!(found.len() >= 15, "the document lists only {} guarded operations", found.len());
    found
}

/// A token of every role at `slug`.
async fn tokens(app: &TestApp, slug: &str) -> Vec<(&'static str, String)> {
    let owner = app.sign_up(slug).await;
    let mut tokens = vec![("owner", owner.clone())];
    for role in &ROLES[1..] {
        tokens.push((role, app.hire(slug, &owner, role).await.0));
    }
    tokens
}

async fn status(app: &TestApp, operation: &Guarded, token: &str) -> (StatusCode, Value) {
    let response = app.send(operation.method.clone(), &operation.path, Some(token), &json!({})).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_guarded_operation_refuses_a_token_of_another_restaurant() {
    let app = spawn_app().await;
    app.sign_up("alpha").await;
    let intruders = tokens(&app, "beta").await;
    for operation in guarded(&app, "alpha").await {
        for (role, token) in &intruders {
            let (status, body) = status(&app, &operation, token).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} {} with beta's {role}: {body}",
                operation.method,
                operation.path
            );
        }
    }
}

#[tokio::test]
async fn every_guarded_operation_refuses_a_role_its_document_does_not_name() {
    let app = spawn_app().await;
    let staff = tokens(&app, "alpha").await;
    for operation in guarded(&app, "alpha").await {
        for (role, token) in staff.iter().filter(|(role, _)| !operation.roles.iter().any(|r| r == role)) {
            let (status, body) = status(&app, &operation, token).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {} as {role}: {body}", operation.method, operation.path);
            assert_eq!(body["code"], "forbidden", "{} {} as {role}", operation.method, operation.path);
        }
    }
}

#[tokio::test]
async fn every_guarded_operation_lets_in_every_role_its_document_names() {
    // Payments on, so that the owner's payment routes answer as they do for a paying deployment.
    let (app, _stripe) = spawn_paying_app().await;
    let mut staff = tokens(&app, "alpha").await;
    for operation in guarded(&app, "alpha").await {
        for (role, token) in staff.iter_mut().filter(|(role, _)| operation.roles.iter().any(|r| r == role)) {
            let (status, body) = status(&app, &operation, token).await;
            // An operation that ends the caller's sessions (logging out everywhere) hands it a new one.
            if let (Some(renewed), true) = (body["token"].as_str(), body["account"].is_object()) {
                *token = renewed.to_owned();
            }
            assert!(
                status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                "{} {} as {role} answered {status}: {body}",
                operation.method,
                operation.path
            );
        }
    }
}
