//! Hostile and careless requests: each gets a clear 4xx and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_problem, json_of, pizza_json, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_price_sent_by_the_client_is_refused_and_the_cart_is_unchanged() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("tamper").await;
    let cart = app.cart_with_pizza("tamper", 1).await;

    let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "large"}], "quantity": 1, "unit_price": {"minor": 1, "currency": "EUR"}});
    let response = app.send(Method::POST, &format!("/v1/restaurants/tamper/carts/{cart}/lines"), None, &line).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let stored = json_of(app.get(&format!("/v1/restaurants/tamper/carts/{cart}"), None).await).await;
    assert_eq!(stored["lines"].as_array().unwrap().len(), 1);
    assert_eq!(stored["priced"]["totals"]["total"]["minor"], 900);
}

#[tokio::test]
async fn a_key_given_twice_in_a_body_is_refused_naming_it_and_nothing_changes() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("twice").await;
    let cart = app.cart_with_pizza("twice", 1).await;
    let lines = format!("{}/v1/restaurants/twice/carts/{cart}/lines", app.base);
    let doubled = r#"{"item":"pizza","choices":[{"group":"size","option":"regular"}],"quantity":1,"quantity":50}"#;
    let two_customers = format!(
        r#"{{"cart":"{cart}","kind":{{"type":"pickup"}},"customer":{{"name":"Ada"}},"customer":{{"name":"Eve"}}}}"#
    );
    let send = |method: Method, url: String, body: String, token: Option<&str>| {
        let mut request = reqwest::Client::new().request(method, url).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.header("Idempotency-Key", "twice").body(body).send()
    };

    let line = send(Method::POST, lines, doubled.to_owned(), None).await.unwrap();
    let order = send(Method::POST, format!("{}/v1/restaurants/twice/orders", app.base), two_customers, None);
    let order = order.await.unwrap();
    let category = r#"{"id":"desserts","name":"Desserts","name":"Dolci","position":2}"#.to_owned();
    let staff =
        send(Method::POST, format!("{}/v1/restaurants/twice/menu/categories", app.base), category, Some(&owner));
    let staff = staff.await.unwrap();

    for (response, key) in [(line, "quantity"), (order, "customer"), (staff, "name")] {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem = json_of(response).await;
        assert_eq!(
            (problem["code"].as_str(), problem["field"].as_str()),
            (Some("invalid_body"), Some(key)),
            "{problem}"
        );
    }
    let stored = json_of(app.get(&format!("/v1/restaurants/twice/carts/{cart}"), None).await).await;
    assert_eq!(stored["lines"][0]["quantity"], 1, "the cart is as it was");
}

#[tokio::test]
async fn a_phone_written_in_words_is_refused_naming_the_phone() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("dial").await;
    let cart = app.cart_with_pizza("dial", 1).await;
    let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada", "phone": "call me maybe"}});

    let refused = app.post_keyed("/v1/restaurants/dial/orders", "words", &body).await;

    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = json_of(refused).await;
    assert_eq!((problem["code"].as_str(), problem["field"].as_str()), (Some("invalid_body"), Some("customer.phone")));
}

#[tokio::test]
async fn a_token_of_another_restaurant_is_forbidden() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("alpha").await;
    let beta_owner = app.sign_up("beta").await;

    for (method, path) in [
        (Method::GET, "/v1/restaurants/alpha/me"),
        (Method::GET, "/v1/restaurants/alpha/staff"),
        (Method::GET, "/v1/restaurants/alpha/orders"),
        (Method::GET, "/v1/restaurants/alpha/reservations"),
        (Method::DELETE, "/v1/restaurants/alpha/menu/items/pizza?version=1"),
    ] {
        let response = app.request(method.clone(), path, Some(&beta_owner)).send().await.unwrap();
        assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let edit = json!({"sold_out": true, "version": 1});
    let response =
        app.send(Method::PUT, "/v1/restaurants/alpha/menu/items/pizza/sold-out", Some(&beta_owner), &edit).await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let pizza = json_of(app.get("/v1/restaurants/alpha/menu/items/pizza", None).await).await;
    assert_eq!((pizza["sold_out"].clone(), pizza["version"].clone()), (json!(false), json!(1)));
}

#[tokio::test]
async fn staff_may_not_edit_the_menu_or_hire() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("roles").await;
    let (staff, _) = app.hire("roles", &owner, "staff").await;

    let edit = app
        .send(
            Method::PUT,
            "/v1/restaurants/roles/menu/items/pizza",
            Some(&staff),
            &json!({"item": pizza_json()["item"], "version": 1}),
        )
        .await;
    let hire = app
        .send(
            Method::POST,
            "/v1/restaurants/roles/staff",
            Some(&staff),
            &json!({"email": "x@roles.test", "name": "X", "password": "long enough password", "role": "staff"}),
        )
        .await;

    assert_problem(edit, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(hire, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn an_edit_from_a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("stale").await;
    let mut first = pizza_json()["item"].clone();
    first["price"]["minor"] = json!(1000);
    let mut second = pizza_json()["item"].clone();
    second["price"]["minor"] = json!(1100);
    app.send(
        Method::PUT,
        "/v1/restaurants/stale/menu/items/pizza",
        Some(&owner),
        &json!({"item": first, "version": 1}),
    )
    .await;

    let response = app
        .send(
            Method::PUT,
            "/v1/restaurants/stale/menu/items/pizza",
            Some(&owner),
            &json!({"item": second, "version": 1}),
        )
        .await;

    assert_problem(response, StatusCode::CONFLICT, "stale_version").await;
    let pizza = json_of(app.get("/v1/restaurants/stale/menu/items/pizza", None).await).await;
    assert_eq!((pizza["price"]["minor"].clone(), pizza["version"].clone()), (json!(1000), json!(2)));
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, "/v1/restaurants", None)
        .header("content-type", "application/json")
        .body("{\"restaurant\": ")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn a_body_that_is_an_array_is_refused_even_where_every_field_is_optional() {
    let app = spawn_app().await;
    let owner = app.sign_up("lido").await;
    let me = json_of(app.get("/v1/restaurants/lido/me", Some(&owner)).await).await["id"].as_str().unwrap().to_owned();
    let response =
        app.send(Method::PATCH, &format!("/v1/restaurants/lido/staff/{me}"), Some(&owner), &json!([null, null])).await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_with_413() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("big").await;
    let cart = app.cart_with_pizza("big", 1).await;
    let huge = json!({"item": "pizza", "quantity": 1, "note": "x".repeat(70 * 1024)});

    let response = app.send(Method::POST, &format!("/v1/restaurants/big/carts/{cart}/lines"), None, &huge).await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn negative_zero_and_huge_quantities_are_refused() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("qty").await;
    let cart = app.cart_with_pizza("qty", 1).await;

    for quantity in [json!(-1), json!(0), json!(100), json!(4_294_967_296u64)] {
        let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "regular"}], "quantity": quantity});
        let response = app.send(Method::POST, &format!("/v1/restaurants/qty/carts/{cart}/lines"), None, &line).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    let stored = json_of(app.get(&format!("/v1/restaurants/qty/carts/{cart}"), None).await).await;
    assert_eq!(stored["lines"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_order_without_an_idempotency_key_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("nokey").await;
    let cart = app.cart_with_pizza("nokey", 1).await;
    let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}});

    let response = app.send(Method::POST, "/v1/restaurants/nokey/orders", None, &body).await;

    assert_problem(response, StatusCode::BAD_REQUEST, "idempotency_key_required").await;
    let orders = json_of(app.get("/v1/restaurants/nokey/orders", Some(&owner)).await).await;
    assert_eq!(orders["orders"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_retried_order_returns_the_first_and_a_different_body_under_its_key_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("retry").await;
    let cart = app.cart_with_pizza("retry", 1).await;
    let first = app.place("retry", &cart, "key-1").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json_of(first).await;

    let again = app.place("retry", &cart, "key-1").await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json_of(again).await["order"]["id"], first["order"]["id"]);
    let other_cart = app.cart_with_pizza("retry", 2).await;
    let changed = app.place("retry", &other_cart, "key-1").await;

    assert_problem(changed, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    let orders = json_of(app.get("/v1/restaurants/retry/orders", Some(&owner)).await).await;
    assert_eq!(orders["orders"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn one_cart_makes_at_most_one_order_even_under_two_keys() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("once").await;
    let cart = app.cart_with_pizza("once", 1).await;
    assert_eq!(app.place("once", &cart, "key-a").await.status(), StatusCode::CREATED);

    let second = app.place("once", &cart, "key-b").await;

    assert_problem(second, StatusCode::NOT_FOUND, "not_found").await;
    let orders = json_of(app.get("/v1/restaurants/once/orders", Some(&owner)).await).await;
    assert_eq!(orders["orders"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn ordering_while_closed_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("closed").await;
    let cart = app.cart_with_pizza("closed", 1).await;
    let mut restaurant = json_of(app.get("/v1/restaurants/closed", None).await).await;
    restaurant["restaurant"]["hours"] = json!({"weekly": {}});
    let update = json!({"restaurant": restaurant["restaurant"], "version": restaurant["version"]});
    assert_eq!(app.send(Method::PUT, "/v1/restaurants/closed", Some(&owner), &update).await.status(), StatusCode::OK);

    let response = app.place("closed", &cart, "k").await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "restaurant_closed").await;
    assert_eq!(
        app.get(&format!("/v1/restaurants/closed/carts/{cart}"), None).await.status(),
        StatusCode::OK,
        "the cart is kept"
    );
}

#[tokio::test]
async fn a_sold_out_item_cannot_be_ordered() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("soldout").await;
    let cart = app.cart_with_pizza("soldout", 1).await;
    let sold_out = app
        .send(
            Method::PUT,
            "/v1/restaurants/soldout/menu/items/pizza/sold-out",
            Some(&owner),
            &json!({"sold_out": true, "version": 1}),
        )
        .await;
    assert_eq!(sold_out.status(), StatusCode::OK);

    let response = app.place("soldout", &cart, "k").await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "item_sold_out").await;
}

#[tokio::test]
async fn an_empty_cart_cannot_be_ordered() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("empty").await;
    let cart = json_of(app.request(Method::POST, "/v1/restaurants/empty/carts", None).send().await.unwrap()).await;

    let response = app.place("empty", cart["token"].as_str().unwrap(), "k").await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "cart_empty").await;
}

#[tokio::test]
async fn dine_in_needs_a_table_the_restaurant_has_and_delivery_an_address() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("tables").await;
    let cart = app.cart_with_pizza("tables", 1).await;
    let order = |kind| json!({"cart": cart, "kind": kind, "customer": {"name": "Ada"}});
    let send = |body: serde_json::Value, key: &'static str| {
        app.request(Method::POST, "/v1/restaurants/tables/orders", None)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };

    let unknown_table = send(order(json!({"type": "dine_in", "table": "99"})), "a").await.unwrap();
    let no_address = send(order(json!({"type": "delivery"})), "b").await.unwrap();

    assert_problem(unknown_table, StatusCode::UNPROCESSABLE_ENTITY, "unknown_table").await;
    assert_problem(no_address, StatusCode::UNPROCESSABLE_ENTITY, "address_required").await;
}

#[tokio::test]
async fn a_driver_sees_and_moves_only_the_deliveries_assigned_to_them() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("drive").await;
    let (driver, driver_id) = app.hire("drive", &owner, "driver").await;
    let (other_driver, _) = app.hire("drive", &owner, "driver").await;
    let cart = app.cart_with_pizza("drive", 1).await;
    let body = json!({"cart": cart, "kind": {"type": "delivery", "address": "Hauptstr. 1, Berlin"}, "customer": {"name": "Ada", "phone": "+49 30 1234"}});
    let placed = json_of(app.post_keyed("/v1/restaurants/drive/orders", "d", &body).await).await;
    let id = placed["order"]["id"].as_str().unwrap().to_owned();
    for state in ["accepted", "preparing", "ready"] {
        app.send(
            Method::POST,
            &format!("/v1/restaurants/drive/orders/{id}/transitions"),
            Some(&owner),
            &json!({"to": state}),
        )
        .await;
    }
    let assigned = app
        .send(
            Method::PUT,
            &format!("/v1/restaurants/drive/orders/{id}/driver"),
            Some(&owner),
            &json!({"driver": driver_id}),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);

    let theirs = json_of(app.get("/v1/restaurants/drive/orders", Some(&driver)).await).await;
    let others = json_of(app.get("/v1/restaurants/drive/orders", Some(&other_driver)).await).await;
    let stranger = app
        .send(
            Method::POST,
            &format!("/v1/restaurants/drive/orders/{id}/transitions"),
            Some(&other_driver),
            &json!({"to": "out_for_delivery"}),
        )
        .await;
    let moved = app
        .send(
            Method::POST,
            &format!("/v1/restaurants/drive/orders/{id}/transitions"),
            Some(&driver),
            &json!({"to": "out_for_delivery"}),
        )
        .await;

    assert_eq!(theirs["orders"].as_array().unwrap().len(), 1);
    assert_eq!(others["orders"].as_array().unwrap().len(), 0);
    assert_problem(stranger, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(json_of(moved).await["state"], "out_for_delivery");
}

#[tokio::test]
async fn an_illegal_transition_is_a_conflict() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("illegal").await;
    let cart = app.cart_with_pizza("illegal", 1).await;
    let id = json_of(app.place("illegal", &cart, "k").await).await["order"]["id"].as_str().unwrap().to_owned();

    let response = app
        .send(
            Method::POST,
            &format!("/v1/restaurants/illegal/orders/{id}/transitions"),
            Some(&owner),
            &json!({"to": "ready"}),
        )
        .await;

    assert_problem(response, StatusCode::CONFLICT, "illegal_transition").await;
}

#[tokio::test]
async fn an_order_is_invisible_without_its_token() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("secret").await;
    let cart = app.cart_with_pizza("secret", 1).await;
    let id = json_of(app.place("secret", &cart, "k").await).await["order"]["id"].as_str().unwrap().to_owned();

    let without = app.get(&format!("/v1/restaurants/secret/orders/{id}"), None).await;
    let wrong = app.get(&format!("/v1/restaurants/secret/orders/{id}?token={}", "0".repeat(64)), None).await;

    assert_problem(without, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(wrong, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_missing_or_forged_staff_token_is_unauthenticated() {
    let app = spawn_app().await;
    app.sign_up("auth").await;

    let missing = app.get("/v1/restaurants/auth/me", None).await;
    let forged = app.get("/v1/restaurants/auth/me", Some("eyJhbGciOiJIUzI1NiJ9.e30.forged")).await;
    let wrong_password = app
        .send(
            Method::POST,
            "/v1/restaurants/auth/login",
            None,
            &json!({"email": "owner@auth.test", "password": "not the password"}),
        )
        .await;

    assert_problem(missing, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_problem(forged, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_problem(wrong_password, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_slug_is_taken_only_once() {
    let app = spawn_app().await;
    app.sign_up("taken").await;
    let body = json!({"restaurant": crate::harness::restaurant_json("taken"), "owner": {"email": "b@taken.test", "name": "B", "password": "another long password"}});

    let response = app.send(Method::POST, "/v1/restaurants", None, &body).await;

    assert_problem(response, StatusCode::CONFLICT, "slug_taken").await;
}

#[tokio::test]
async fn a_client_over_the_rate_limit_is_told_to_wait() {
    let app = spawn_app_with(|config| config.rate_limit = 2).await;

    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(app.get("/v1/restaurants/nowhere/menu", None).await.status());
    }

    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let limited = app.get("/v1/restaurants/nowhere/menu", None).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn an_unknown_route_is_a_problem_not_a_page() {
    let app = spawn_app().await;
    assert_problem(app.get("/v1/nothing/here", None).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn health_says_the_store_is_reachable() {
    let app = spawn_app().await;
    let health = json_of(app.get("/health", None).await).await;
    assert_eq!(health, json!({"status": "ok", "store": "reachable"}));
}

#[tokio::test]
async fn the_menu_filters_by_category_dietary_tag_allergen_and_text() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("filter").await;
    let salad = json!({"id": "salad", "item": {"category": "mains", "name": "Green Salad", "price": {"minor": 700, "currency": "EUR"}, "dietary": ["vegan"], "allergens": ["mustard"]}});
    app.send(Method::POST, "/v1/restaurants/filter/menu/items", Some(&owner), &salad).await;
    let ids = |page: serde_json::Value| {
        page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };

    let vegan = ids(json_of(app.get("/v1/restaurants/filter/menu?dietary=vegan", None).await).await);
    let milk_free = ids(json_of(app.get("/v1/restaurants/filter/menu?allergen_free=milk", None).await).await);
    let searched = ids(json_of(app.get("/v1/restaurants/filter/menu?q=mozzarella", None).await).await);
    let first_page = json_of(app.get("/v1/restaurants/filter/menu?limit=1", None).await).await;
    let cursor = first_page["next_cursor"].as_str().unwrap().to_owned();
    let second_page =
        ids(json_of(app.get(&format!("/v1/restaurants/filter/menu?limit=1&cursor={cursor}"), None).await).await);

    assert_eq!(vegan, ["salad"]);
    assert_eq!(milk_free, ["salad"]);
    assert_eq!(searched, ["pizza"]);
    assert_eq!(ids(first_page).len() + second_page.len(), 2);
    let bad = app.get("/v1/restaurants/filter/menu?allergen_free=kryptonite", None).await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_filter").await;
}

#[tokio::test]
async fn a_plain_get_of_the_live_endpoint_is_told_to_open_a_websocket() {
    let app = spawn_app().await;
    let response = app.get("/ws?restaurant=alpha", None).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "websocket_required").await;
}

#[tokio::test]
async fn an_upload_without_its_signed_terms_is_refused_as_problem_json() {
    let app = spawn_app().await;
    let response = app.request(Method::PUT, "/media-upload/alpha/x.png", None).body("bytes").send().await.unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn a_guest_sees_which_role_moved_their_order_but_not_which_account() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("quiet").await;
    let cart = app.cart_with_pizza("quiet", 1).await;
    let placed = json_of(app.place("quiet", &cart, "k").await).await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let path = format!("/v1/restaurants/quiet/orders/{id}");
    app.send(Method::POST, &format!("{path}/transitions"), Some(&owner), &json!({"to": "accepted"})).await;

    let guest = json_of(app.get(&format!("{path}?token={token}"), None).await).await;
    assert_eq!(guest["history"][0]["actor"], json!({"type": "staff", "role": "owner"}));
    let staff = json_of(app.get(&path, Some(&owner)).await).await;
    assert!(staff["history"][0]["actor"]["user"].is_string(), "{staff}");
}

#[tokio::test]
async fn booking_settings_no_booking_could_be_stored_under_are_refused_naming_the_settings() {
    let app = spawn_app().await;
    let owner = app.sign_up("grid").await;
    let current = json_of(app.get("/v1/restaurants/grid", None).await).await;
    let mut restaurant = current["restaurant"].clone();
    restaurant["reservations"]["slot_minutes"] = json!(5);
    restaurant["reservations"]["seating_minutes"] = json!(720);
    let update = json!({"restaurant": restaurant, "version": current["version"]});

    let response = app.send(Method::PUT, "/v1/restaurants/grid", Some(&owner), &update).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = json_of(response).await;
    assert_eq!(
        (problem["code"].as_str(), problem["field"].as_str()),
        (Some("invalid_body"), Some("restaurant.reservations"))
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("720-minute seating") && !detail.contains("line 1"), "{detail}");
    let after = json_of(app.get("/v1/restaurants/grid", None).await).await;
    assert_eq!(after["version"], current["version"], "nothing changed");
}

#[tokio::test]
async fn a_delivery_without_an_address_names_the_field_in_words_not_the_parsers() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("words").await;
    let cart = app.cart_with_pizza("words", 1).await;
    let body = json!({"cart": cart, "kind": {"type": "delivery", "address": " "}, "customer": {"name": "Ada"}});

    let response = app.post_keyed("/v1/restaurants/words/orders", "w", &body).await;

    let problem = json_of(response).await;
    assert_eq!(problem["field"], "kind", "the kind of order, whose address is missing");
    let detail = problem["detail"].as_str().unwrap();
    assert!(!detail.contains("Failed to deserialize") && !detail.contains("column"), "{detail}");
}

#[tokio::test]
async fn refused_placements_leave_no_gap_in_the_days_order_numbers() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("gapless").await;
    let first = app.cart_with_pizza("gapless", 1).await;
    assert_eq!(app.place("gapless", &first, "K").await.status(), StatusCode::CREATED);
    for _ in 0..3 {
        // The same key on another cart is another request: refused, and it must cost no number.
        let other = app.cart_with_pizza("gapless", 2).await;
        assert_problem(
            app.place("gapless", &other, "K").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
        )
        .await;
    }

    let next = app.cart_with_pizza("gapless", 1).await;
    let placed =
        serde_json::from_str::<serde_json::Value>(&app.place("gapless", &next, "L").await.text().await.unwrap())
            .unwrap();

    assert_eq!(placed["order"]["number"], 2, "the next order is #2, not #5");
}

#[tokio::test]
async fn the_currency_of_a_restaurant_with_prices_on_its_menu_cannot_change() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("dollars").await;
    let mut restaurant = json_of(app.get("/v1/restaurants/dollars", None).await).await;
    restaurant["restaurant"]["currency"] = json!("USD");
    let update = json!({"restaurant": restaurant["restaurant"], "version": restaurant["version"]});

    let response = app.send(Method::PUT, "/v1/restaurants/dollars", Some(&owner), &update).await;

    assert_problem(response, StatusCode::CONFLICT, "currency_locked").await;
    let after = json_of(app.get("/v1/restaurants/dollars", None).await).await;
    assert_eq!(after["restaurant"]["currency"], "EUR");
    let cart = app.cart_with_pizza("dollars", 1).await;
    assert_eq!(app.place("dollars", &cart, "still-takes-orders").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_delivery_without_a_phone_for_the_driver_is_refused_and_leaves_the_cart() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("ring").await;
    let cart = app.cart_with_pizza("ring", 1).await;
    let body = json!({"cart": cart, "kind": {"type": "delivery", "address": "Hauptstr. 1, Berlin"}, "customer": {"name": "Ada"}});

    let response = app.post_keyed("/v1/restaurants/ring/orders", "p", &body).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "phone_required").await;
    assert_eq!(app.get(&format!("/v1/restaurants/ring/carts/{cart}"), None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_holiday_closure_refuses_orders_and_bookings_that_day_and_pickups_go_to_the_next() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("holiday").await;
    let zone = bistro_domain::jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let today = bistro_domain::jiff::Timestamp::now().to_zoned(zone).date();
    let mut restaurant = json_of(app.get("/v1/restaurants/holiday", None).await).await;
    restaurant["restaurant"]["hours"]["closures"] = json!([today.to_string()]);
    restaurant["restaurant"]["day_starts"] = json!("00:00");
    let update = json!({"restaurant": restaurant["restaurant"], "version": restaurant["version"]});
    assert_eq!(app.send(Method::PUT, "/v1/restaurants/holiday", Some(&owner), &update).await.status(), StatusCode::OK);
    let cart = app.cart_with_pizza("holiday", 1).await;

    assert_problem(app.place("holiday", &cart, "now").await, StatusCode::UNPROCESSABLE_ENTITY, "restaurant_closed")
        .await;
    let slots =
        json_of(app.get(&format!("/v1/restaurants/holiday/reservations/slots?date={today}&party=2"), None).await).await;
    assert_eq!(slots["slots"], json!([]), "no table that day");
    let later = json_of(app.get("/v1/restaurants/holiday/orders/slots?kind=pickup", None).await).await;
    assert_eq!(later["now"], false);
    assert_eq!(later["date"], today.tomorrow().unwrap().to_string(), "ordering ahead goes to the next opening");
    let delivery = json_of(app.get("/v1/restaurants/holiday/orders/slots?kind=delivery", None).await).await;
    assert_eq!(delivery["now"], false, "no delivery for now while closed either");
}
