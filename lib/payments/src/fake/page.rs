//! The fake's own pages, standing in for Stripe's hosted ones: the payment page of a Checkout
//! Session (pay, or go back to the restaurant) and a connected account's onboarding page. Plain
//! HTML forms, no script, usable on a phone.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Fake, missing};

pub(super) fn router() -> Router<Fake> {
    Router::new()
        .route("/pay/{id}", get(payment_page))
        .route("/pay/{id}/pay", post(pay))
        .route("/pay/{id}/cancel", post(go_back))
        .route("/connect/{account}", get(onboarding_page).post(onboard))
        // A browser asks every origin for its icon: the fake has none to give, and says so quietly.
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
}

/// `text` for a URL's query or an HTML attribute: everything but letters and digits escaped.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;max-width:32rem}}\
         button{{font:inherit;padding:.75rem 1rem;margin:.25rem 0;width:100%;border-radius:.5rem;border:1px solid #333}}\
         .pay{{background:#1a56db;color:#fff;border-color:#1a56db}}li{{display:flex;justify-content:space-between;gap:1rem}}\
         .note{{color:#444}}</style></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    ))
}

/// An amount in minor units as `12.50 EUR` (two decimals: the fake is for tests and the demo).
fn amount(minor: i64, currency: &str) -> String {
    format!("{}.{:02} {}", minor / 100, minor % 100, currency.to_uppercase())
}

async fn payment_page(State(fake): State<Fake>, Path(id): Path<String>) -> Response {
    let Some(session) = fake.books().sessions.get(&id).cloned() else {
        return missing("checkout.session").into_response();
    };
    let currency = session["currency"].as_str().unwrap_or_default();
    let lines: String = session["lines_shown"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|line| {
            let name = escape(line["name"].as_str().unwrap_or_default());
            let total = line["unit_amount"].as_i64().unwrap_or_default() * line["quantity"].as_i64().unwrap_or(1);
            format!("<li><span>{} × {name}</span><span>{}</span></li>", line["quantity"], amount(total, currency))
        })
        .collect();
    let total = amount(session["amount_total"].as_i64().unwrap_or_default(), currency);
    let body = if session["status"] == "open" {
        format!(
            "<p class=\"note\">Test payment page (a stand-in for Stripe Checkout): no card is charged.</p>\
             <ul>{lines}</ul><p><strong>Total {total}</strong></p>\
             <form method=\"post\" action=\"/pay/{id}/pay\"><button class=\"pay\" type=\"submit\">Pay {total}</button></form>\
             <form method=\"post\" action=\"/pay/{id}/cancel\"><button type=\"submit\">Back to the restaurant</button></form>"
        )
    } else {
        format!("<p>This payment is {}.</p>", escape(session["status"].as_str().unwrap_or_default()))
    };
    page("Pay for your order", &body).into_response()
}

async fn pay(State(fake): State<Fake>, Path(id): Path<String>) -> Response {
    match fake.complete(&id).await {
        Some(success) => Redirect::to(&success).into_response(),
        None => missing("open checkout.session").into_response(),
    }
}

async fn go_back(State(fake): State<Fake>, Path(id): Path<String>) -> Response {
    let back = fake.books().sessions.get(&id).and_then(|s| s["cancel_url"].as_str().map(str::to_owned));
    back.map_or_else(|| missing("checkout.session").into_response(), |url| Redirect::to(&url).into_response())
}

#[derive(Debug, Deserialize)]
struct ReturnTo {
    return_url: String,
}

async fn onboarding_page(Path(account): Path<String>, Query(back): Query<ReturnTo>) -> Html<String> {
    let action = format!("/connect/{}?return_url={}", encode(&account), encode(&back.return_url));
    page(
        "Connect your payment account",
        &format!(
            "<p class=\"note\">Test onboarding (a stand-in for Stripe's): no details are asked for.</p>\
             <form method=\"post\" action=\"{}\"><button class=\"pay\" type=\"submit\">Finish setup</button></form>",
            escape(&action)
        ),
    )
}

async fn onboard(State(fake): State<Fake>, Path(account): Path<String>, Query(back): Query<ReturnTo>) -> Response {
    if fake.onboard(&account).await {
        Redirect::to(&back.return_url).into_response()
    } else {
        missing("account").into_response()
    }
}
