//! Staff that come and go: every change that takes rights away ends the account's sessions at
//! once on the local server, and the restaurant always keeps an owner who can sign in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app, spawn_app_with};

const STAFF_PASSWORD: &str = "a long staff password";

fn staff_path(slug: &str, user: &str) -> String {
    format!("/v1/restaurants/{slug}/staff/{user}")
}

/// The owner's id, read through `me`.
async fn my_id(app: &TestApp, slug: &str, token: &str) -> String {
    json_of(app.get(&format!("/v1/restaurants/{slug}/me"), Some(token)).await).await["id"].as_str().unwrap().to_owned()
}

async fn menu_edit(app: &TestApp, slug: &str, token: &str) -> StatusCode {
    let body = json!({"id": "mains", "name": "Mains", "position": 1});
    app.send(Method::POST, &format!("/v1/restaurants/{slug}/menu/categories"), Some(token), &body).await.status()
}

async fn email_of(app: &TestApp, slug: &str, owner: &str, user: &str) -> String {
    let staff: Value = json_of(app.get(&format!("/v1/restaurants/{slug}/staff"), Some(owner)).await).await;
    staff.as_array().unwrap().iter().find(|a| a["id"] == user).unwrap()["email"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_removed_managers_token_is_refused_at_once() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (manager, id) = app.hire("lido", &owner, "manager").await;
    assert_eq!(menu_edit(&app, "lido", &manager).await, StatusCode::CREATED);

    let removed = app.request(Method::DELETE, &staff_path("lido", &id), Some(&owner)).send().await.unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);

    assert_problem(
        app.get("/v1/restaurants/lido/me", Some(&manager)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let staff: Value = json_of(app.get("/v1/restaurants/lido/staff", Some(&owner)).await).await;
    assert!(staff.as_array().unwrap().iter().all(|a| a["id"] != id.as_str()), "{staff}");
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in_and_its_token_is_refused_until_it_is_enabled_again() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (cook, id) = app.hire("lido", &owner, "staff").await;
    let email = email_of(&app, "lido", &owner, &id).await;

    let disabled =
        json_of(app.send(Method::PATCH, &staff_path("lido", &id), Some(&owner), &json!({"disabled": true})).await)
            .await;
    assert_eq!(disabled["disabled"], true);
    assert_problem(
        app.get("/v1/restaurants/lido/orders", Some(&cook)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let login = json!({"email": email, "password": STAFF_PASSWORD});
    assert_problem(
        app.send(Method::POST, "/v1/restaurants/lido/login", None, &login).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    app.send(Method::PATCH, &staff_path("lido", &id), Some(&owner), &json!({"disabled": false})).await;
    let again = app.login("lido", &email, STAFF_PASSWORD).await;
    assert_eq!(app.get("/v1/restaurants/lido/orders", Some(&again)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_role_change_ends_the_accounts_sessions_and_the_next_login_has_the_new_role() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (manager, id) = app.hire("lido", &owner, "manager").await;
    let email = email_of(&app, "lido", &owner, &id).await;

    let changed =
        json_of(app.send(Method::PATCH, &staff_path("lido", &id), Some(&owner), &json!({"role": "staff"})).await).await;
    assert_eq!(changed["role"], "staff");
    assert_eq!(menu_edit(&app, "lido", &manager).await, StatusCode::UNAUTHORIZED);
    let cook = app.login("lido", &email, STAFF_PASSWORD).await;
    assert_eq!(menu_edit(&app, "lido", &cook).await, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn changing_ones_own_password_ends_every_other_session_and_keeps_this_one() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (first, id) = app.hire("lido", &owner, "staff").await;
    let email = email_of(&app, "lido", &owner, &id).await;
    let second = app.login("lido", &email, STAFF_PASSWORD).await;

    let body = json!({"current": STAFF_PASSWORD, "password": "a brand new password"});
    let response = app.send(Method::PUT, "/v1/restaurants/lido/me/password", Some(&first), &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let renewed = json_of(response).await["token"].as_str().unwrap().to_owned();

    for old in [&first, &second] {
        assert_problem(
            app.get("/v1/restaurants/lido/me", Some(old)).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
    }
    assert_eq!(app.get("/v1/restaurants/lido/me", Some(&renewed)).await.status(), StatusCode::OK);
    app.login("lido", &email, "a brand new password").await;
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_session_of_the_account_and_no_one_elses() {
    let app = spawn_app().await;
    let owner = app.sign_up("exit").await;
    let (first, id) = app.hire("exit", &owner, "staff").await;
    let email = email_of(&app, "exit", &owner, &id).await;
    let second = app.login("exit", &email, STAFF_PASSWORD).await;

    let response = app.send(Method::POST, "/v1/restaurants/exit/me/logout-everywhere", Some(&first), &json!({})).await;

    assert_eq!(response.status(), StatusCode::OK);
    let renewed = json_of(response).await["token"].as_str().unwrap().to_owned();
    for old in [&first, &second] {
        assert_problem(
            app.get("/v1/restaurants/exit/me", Some(old)).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
    }
    assert_eq!(app.get("/v1/restaurants/exit/me", Some(&renewed)).await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/v1/restaurants/exit/me", Some(&owner)).await.status(),
        StatusCode::OK,
        "the owner is still in"
    );
    app.login("exit", &email, STAFF_PASSWORD).await;
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let body = json!({"current": "not my password", "password": "a brand new password"});
    let response = app.send(Method::PUT, "/v1/restaurants/lido/me/password", Some(&owner), &body).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "wrong_password").await;
    assert_eq!(app.get("/v1/restaurants/lido/me", Some(&owner)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_owner_resets_a_forgotten_password_and_the_old_sessions_end() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (cook, id) = app.hire("lido", &owner, "staff").await;
    let email = email_of(&app, "lido", &owner, &id).await;

    let body = json!({"password": "set by the owner"});
    let reset = app.send(Method::PUT, &format!("{}/password", staff_path("lido", &id)), Some(&owner), &body).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/v1/restaurants/lido/me", Some(&cook)).await.status(), StatusCode::UNAUTHORIZED);
    app.login("lido", &email, "set by the owner").await;
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_demoted_or_disabled() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let me = my_id(&app, "lido", &owner).await;
    let path = staff_path("lido", &me);
    assert_problem(
        app.request(Method::DELETE, &path, Some(&owner)).send().await.unwrap(),
        StatusCode::CONFLICT,
        "last_owner",
    )
    .await;
    for change in [json!({"role": "manager"}), json!({"disabled": true})] {
        assert_problem(app.send(Method::PATCH, &path, Some(&owner), &change).await, StatusCode::CONFLICT, "last_owner")
            .await;
    }
    assert_eq!(app.get("/v1/restaurants/lido/me", Some(&owner)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn ownership_is_handed_over_and_the_giver_stays_on_as_a_manager() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (manager, id) = app.hire("lido", &owner, "manager").await;
    let email = email_of(&app, "lido", &owner, &id).await;

    let response =
        app.send(Method::POST, &format!("{}/ownership", staff_path("lido", &id)), Some(&owner), &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let giver = json_of(response).await;
    assert_eq!(giver["account"]["role"], "manager");
    let giver = giver["token"].as_str().unwrap();

    assert_eq!(app.get("/v1/restaurants/lido/me", Some(&manager)).await.status(), StatusCode::UNAUTHORIZED);
    let new_owner = app.login("lido", &email, STAFF_PASSWORD).await;
    let hire = json!({"email": "waiter@lido.test", "name": "Walt", "password": STAFF_PASSWORD, "role": "staff"});
    let by_giver = app.send(Method::POST, "/v1/restaurants/lido/staff", Some(giver), &hire).await;
    assert_problem(by_giver, StatusCode::FORBIDDEN, "forbidden").await;
    let by_new_owner = app.send(Method::POST, "/v1/restaurants/lido/staff", Some(&new_owner), &hire).await;
    assert_eq!(by_new_owner.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_kitchen_account_cannot_hire_or_remove_anyone() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (cook, _) = app.hire("lido", &owner, "staff").await;
    let me = my_id(&app, "lido", &owner).await;
    let hire = json!({"email": "friend@lido.test", "name": "Friend", "password": STAFF_PASSWORD, "role": "manager"});
    assert_problem(
        app.send(Method::POST, "/v1/restaurants/lido/staff", Some(&cook), &hire).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let remove = app.request(Method::DELETE, &staff_path("lido", &me), Some(&cook)).send().await.unwrap();
    assert_problem(remove, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_change_to_an_account_of_another_restaurant_finds_nothing() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let other = app.sign_up("mare").await;
    let (_, id) = app.hire("mare", &other, "staff").await;
    let response = app.send(Method::PATCH, &staff_path("lido", &id), Some(&owner), &json!({"disabled": true})).await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
}

/// Logs in at lido as `email` with `password` from the loopback address `127.0.0.{last}`.
async fn login_from(app: &TestApp, last: u8, email: &str, password: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, last])).build().unwrap();
    let body = json!({"email": email, "password": password});
    client.post(format!("{}/v1/restaurants/lido/login", app.base)).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn a_flood_of_wrong_guesses_from_one_address_waits_while_the_owner_logs_in_from_another() {
    let app = spawn_app_with(|config| config.rate_limit = 1000).await;
    app.sign_up("lido").await;
    for _ in 0..bistro_store::repo::ATTEMPTS_PER_EMAIL_AND_CLIENT.per_minute {
        let wrong = login_from(&app, 1, "owner@lido.test", "not the password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }

    let guesser = login_from(&app, 1, "owner@lido.test", "correct horse battery").await;
    let owner = login_from(&app, 2, "owner@lido.test", "correct horse battery").await;

    let wait: u64 = guesser.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0, "Retry-After {wait}");
    assert_problem(guesser, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(owner.status(), StatusCode::OK, "the owner is not locked out by someone else's guesses");
}

#[tokio::test]
async fn fifty_wrong_guesses_at_once_are_checked_at_most_ten_times() {
    let app = spawn_app_with(|config| config.rate_limit = 1000).await;
    app.sign_up("lido").await;
    let guesses = (0..50).map(|_| login_from(&app, 1, "owner@lido.test", "not the password"));

    let answers = futures_util::future::join_all(guesses).await;

    let checked = answers.iter().filter(|a| a.status() == StatusCode::UNAUTHORIZED).count();
    let waiting = answers.iter().filter(|a| a.status() == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 10, "{checked} checked");
    assert_eq!(checked + waiting, 50);
}

#[tokio::test]
async fn an_e_mail_written_like_a_client_key_is_not_counted_anywhere() {
    let app = spawn_app_with(|config| config.rate_limit = 1000).await;
    app.sign_up("lido").await;
    for _ in 0..40 {
        let odd = login_from(&app, 2, "client 127.0.0.1", "whatever it is").await;
        assert_eq!(odd.status(), StatusCode::UNAUTHORIZED);
    }

    let owner = login_from(&app, 1, "owner@lido.test", "correct horse battery").await;

    assert_eq!(owner.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_e_mail_is_counted_like_a_known_one() {
    let app = spawn_app().await;
    app.sign_up("lido").await;
    let attempt = json!({"email": "nobody@lido.test", "password": "whatever it is"});
    for _ in 0..10 {
        app.send(Method::POST, "/v1/restaurants/lido/login", None, &attempt).await;
    }
    let waits = app.send(Method::POST, "/v1/restaurants/lido/login", None, &attempt).await;
    assert_eq!(waits.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn wrong_current_passwords_in_a_password_change_are_counted_like_logins() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let change = json!({"current": "not the password", "password": "a new long password"});
    for _ in 0..10 {
        let wrong = app.send(Method::PUT, "/v1/restaurants/lido/me/password", Some(&owner), &change).await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    let right = json!({"current": "correct horse battery", "password": "a new long password"});
    let waits = app.send(Method::PUT, "/v1/restaurants/lido/me/password", Some(&owner), &right).await;

    assert_problem(waits, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn a_successful_login_starts_the_count_of_wrong_passwords_again() {
    let app = spawn_app().await;
    app.sign_up("lido").await;
    let wrong = json!({"email": "owner@lido.test", "password": "not the password"});
    for _ in 0..9 {
        app.send(Method::POST, "/v1/restaurants/lido/login", None, &wrong).await;
    }
    app.login("lido", "owner@lido.test", "correct horse battery").await;
    for _ in 0..9 {
        app.send(Method::POST, "/v1/restaurants/lido/login", None, &wrong).await;
    }
    app.login("lido", "owner@lido.test", "correct horse battery").await;
}

#[tokio::test]
async fn thirty_logins_a_minute_from_one_address_over_many_e_mails_make_its_next_login_wait() {
    let app = spawn_app().await;
    app.sign_up("lido").await;
    for n in 0..30 {
        let guess = json!({"email": format!("guess-{n}@lido.test"), "password": "summer2026"});
        let wrong = app.send(Method::POST, "/v1/restaurants/lido/login", None, &guess).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }

    let right = json!({"email": "owner@lido.test", "password": "correct horse battery"});
    let locked = app.send(Method::POST, "/v1/restaurants/lido/login", None, &right).await;

    assert!(locked.headers().contains_key("retry-after"));
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn a_manager_may_not_shorten_how_long_guests_data_is_kept_and_the_owner_may() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let (manager, _) = app.hire("lido", &owner, "manager").await;
    let mut restaurant = json_of(app.get("/v1/restaurants/lido", None).await).await;
    restaurant["restaurant"]["personal_data_days"] = json!(1);
    let update = json!({"restaurant": restaurant["restaurant"], "version": restaurant["version"]});

    let by_manager = app.send(Method::PUT, "/v1/restaurants/lido", Some(&manager), &update).await;
    let unchanged = json_of(app.get("/v1/restaurants/lido", None).await).await;
    let by_owner = app.send(Method::PUT, "/v1/restaurants/lido", Some(&owner), &update).await;

    assert_problem(by_manager, StatusCode::FORBIDDEN, "forbidden").await;
    assert_ne!(unchanged["restaurant"]["personal_data_days"], 1);
    assert_eq!(by_owner.status(), StatusCode::OK);
}
