//! Live updates end to end: real WebSocket clients against the local server.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::harness::{TestApp, json_of, spawn_app};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(app: &TestApp, query: &str) -> Socket {
    let url = format!("{}/ws?{query}", app.base.replace("http://", "ws://"));
    let (socket, _) = connect_async(url).await.expect("the socket opens");
    socket
}

/// Opens a socket and resumes from `last_seq`; returns it with the `resumed` answer.
async fn subscribe(app: &TestApp, query: &str, last_seq: Option<u64>) -> (Socket, Vec<Value>) {
    let mut socket = connect(app, query).await;
    socket.send(Message::text(json!({"type": "resume", "last_seq": last_seq}).to_string())).await.unwrap();
    let mut replayed = Vec::new();
    loop {
        let message = next(&mut socket, Duration::from_secs(5)).await.expect("an answer to resume");
        if message["type"] == "resumed" {
            return (socket, replayed);
        }
        replayed.push(message);
    }
}

/// The next JSON message within `wait`, skipping control frames.
async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(serde_json::from_str(&text).unwrap()),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

async fn placed_order(app: &TestApp, slug: &str, key: &str) -> Value {
    let cart = app.cart_with_pizza(slug, 1).await;
    let response = app.place(slug, &cart, key).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    json_of(response).await
}

#[tokio::test]
async fn an_order_placed_over_http_reaches_the_staff_board_within_a_second() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("live").await;
    let (mut board, _) = subscribe(&app, &format!("restaurant=live&token={owner}"), None).await;

    let started = Instant::now();
    let placed = placed_order(&app, "live", "k1").await;
    let message = next(&mut board, Duration::from_secs(1)).await.expect("the board hears of the order within 1 s");

    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(message["type"], "order");
    assert_eq!(message["order"]["id"], placed["order"]["id"]);
    assert_eq!(message["order"]["state"], "placed");
    assert_eq!(message["order"]["lines"][0]["name"], "Pizza");
}

#[tokio::test]
async fn each_state_change_reaches_the_customers_socket() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("follow").await;
    let placed = placed_order(&app, "follow", "k1").await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let (mut customer, _) = subscribe(&app, &format!("restaurant=follow&order={id}&order_token={token}"), None).await;

    for state in ["accepted", "preparing", "ready", "completed"] {
        let moved = app
            .send(
                Method::POST,
                &format!("/v1/restaurants/follow/orders/{id}/transitions"),
                Some(&owner),
                &json!({"to": state}),
            )
            .await;
        assert_eq!(moved.status(), StatusCode::OK);
        let message = next(&mut customer, Duration::from_secs(1)).await.expect("the customer hears of each change");
        assert_eq!(message["order"]["state"], state);
    }
}

#[tokio::test]
async fn a_customer_sees_only_their_own_order() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("mine").await;
    let placed = placed_order(&app, "mine", "k1").await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let (mut customer, _) = subscribe(&app, &format!("restaurant=mine&order={id}&order_token={token}"), None).await;

    placed_order(&app, "mine", "k2").await;

    assert_eq!(next(&mut customer, Duration::from_millis(500)).await, None);
}

#[tokio::test]
async fn a_socket_of_another_restaurant_receives_nothing() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("here").await;
    let elsewhere = app.sign_up("elsewhere").await;
    let (mut other_board, _) = subscribe(&app, &format!("restaurant=elsewhere&token={elsewhere}"), None).await;

    placed_order(&app, "here", "k1").await;

    assert_eq!(next(&mut other_board, Duration::from_millis(500)).await, None);
}

#[tokio::test]
async fn a_socket_with_a_bad_or_foreign_token_is_refused() {
    let app = spawn_app().await;
    app.sign_up("guarded").await;
    let foreign = app.sign_up("foreign").await;
    let url = |query: &str| format!("{}/ws?{query}", app.base.replace("http://", "ws://"));

    let bad = connect_async(url("restaurant=guarded&token=not-a-jwt")).await;
    let other = connect_async(url(&format!("restaurant=guarded&token={foreign}"))).await;
    let none = connect_async(url("restaurant=guarded")).await;

    let status = |result: Result<_, tokio_tungstenite::tungstenite::Error>| match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    };
    assert_eq!(status(bad), 401);
    assert_eq!(status(other), 403);
    assert_eq!(status(none), 401);
}

#[tokio::test]
async fn a_board_that_drops_during_a_burst_of_50_orders_resumes_with_each_once_in_order() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("burst").await;
    let query = format!("restaurant=burst&token={owner}");
    let (mut board, _) = subscribe(&app, &query, None).await;
    let carts: Vec<String> = futures_util::future::join_all((0..50).map(|_| app.cart_with_pizza("burst", 1))).await;

    // Orders arrive; the board sees the first few, then its connection drops mid-burst.
    let mut seen: Vec<u64> = Vec::new();
    for (n, cart) in carts.iter().enumerate() {
        assert_eq!(app.place("burst", cart, &format!("burst-{n}")).await.status(), StatusCode::CREATED);
        if n == 10 {
            while let Some(message) = next(&mut board, Duration::from_millis(200)).await {
                seen.push(message["seq"].as_u64().unwrap());
            }
            board.close(None).await.unwrap();
        }
    }
    let last_seen = *seen.last().expect("the board saw the start of the burst");
    let (mut resumed, replayed) = subscribe(&app, &query, Some(last_seen)).await;
    seen.extend(replayed.iter().map(|m| m["seq"].as_u64().unwrap()));
    while let Some(message) = next(&mut resumed, Duration::from_millis(300)).await {
        seen.push(message["seq"].as_u64().unwrap());
    }

    assert_eq!(seen, (1..=50).collect::<Vec<u64>>(), "every order once, in sequence");
}

/// Waits for the server to close `socket`; true if it did within `wait`.
async fn closed_within(socket: &mut Socket, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else { return false };
        match tokio::time::timeout(left, socket.next()).await {
            Ok(None | Some(Ok(Message::Close(_)) | Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn a_removed_managers_board_is_told_the_login_ended_and_closed_at_once() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("gone").await;
    let (manager, id) = app.hire("gone", &owner, "manager").await;
    let (mut board, _) = subscribe(&app, &format!("restaurant=gone&token={manager}"), None).await;

    let removed =
        app.request(Method::DELETE, &format!("/v1/restaurants/gone/staff/{id}"), Some(&owner)).send().await.unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);

    let message = next(&mut board, Duration::from_secs(1)).await.expect("the board is told before any order");
    assert_eq!((message["type"].as_str(), message["code"].as_str()), (Some("error"), Some("session_ended")));
    assert!(closed_within(&mut board, Duration::from_secs(1)).await, "and the server closes it");
}

#[tokio::test]
async fn a_board_whose_account_changed_role_hears_no_more_orders() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("demoted").await;
    let (manager, id) = app.hire("demoted", &owner, "manager").await;
    let (mut board, _) = subscribe(&app, &format!("restaurant=demoted&token={manager}"), None).await;
    let (mut owners_board, _) = subscribe(&app, &format!("restaurant=demoted&token={owner}"), None).await;

    let path = format!("/v1/restaurants/demoted/staff/{id}");
    assert_eq!(app.send(Method::PATCH, &path, Some(&owner), &json!({"role": "driver"})).await.status(), StatusCode::OK);
    placed_order(&app, "demoted", "k1").await;

    let mut heard = Vec::new();
    while let Some(message) = next(&mut board, Duration::from_millis(500)).await {
        heard.push(message["type"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(heard, ["error"], "only the notice that the login ended, no order");
    assert_eq!(
        next(&mut owners_board, Duration::from_secs(1)).await.expect("the owner's board still hears")["type"],
        "order"
    );
}

#[tokio::test]
async fn a_second_resume_on_one_socket_sends_nothing_twice_and_counts_what_it_sent() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("twice").await;
    for n in 0..3 {
        placed_order(&app, "twice", &format!("twice-{n}")).await;
    }
    let (mut board, replayed) = subscribe(&app, &format!("restaurant=twice&token={owner}"), Some(0)).await;
    assert_eq!(replayed.len(), 3);

    board.send(Message::text(json!({"type": "resume", "last_seq": 0}).to_string())).await.unwrap();
    let answer = next(&mut board, Duration::from_secs(5)).await.expect("an answer to the second resume");

    assert_eq!(answer["type"], "resumed", "no order goes out twice: {answer}");
    assert_eq!((answer["sent"].as_u64(), answer["last_seq"].as_u64()), (Some(0), Some(3)));
}

#[tokio::test]
async fn a_fourth_socket_for_one_order_is_refused_while_the_board_stays_connected() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("capped").await;
    let (mut board, _) = subscribe(&app, &format!("restaurant=capped&token={owner}"), None).await;
    let placed = placed_order(&app, "capped", "k1").await;
    let _ = next(&mut board, Duration::from_secs(1)).await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let query = format!("restaurant=capped&order={id}&order_token={token}");
    let mut guests = Vec::new();
    for _ in 0..bistro_store::repo::CAPS.per_order {
        guests.push(connect(&app, &query).await);
    }

    let url = format!("{}/ws?{query}", app.base.replace("http://", "ws://"));
    let refused = connect_async(url).await.expect_err("the fourth socket is refused");

    let tokio_tungstenite::tungstenite::Error::Http(response) = refused else { panic!("{refused:?}") };
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let problem: Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
    assert_eq!(problem["code"], "too_many_connections");
    placed_order(&app, "capped", "k2").await;
    let heard = next(&mut board, Duration::from_secs(1)).await.expect("the board still hears new orders");
    assert_eq!(heard["type"], "order");
}

#[tokio::test]
async fn a_socket_closed_gives_its_place_back_to_the_next() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("freed").await;
    let placed = placed_order(&app, "freed", "k1").await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let query = format!("restaurant=freed&order={id}&order_token={token}");
    let mut guests = Vec::new();
    for _ in 0..bistro_store::repo::CAPS.per_order {
        guests.push(connect(&app, &query).await);
    }
    let mut first = guests.remove(0);
    first.close(None).await.unwrap();

    let mut opened = None;
    for _ in 0..50 {
        let url = format!("{}/ws?{query}", app.base.replace("http://", "ws://"));
        if let Ok((socket, _)) = connect_async(url).await {
            opened = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert!(opened.is_some(), "a closed socket's place is given back within a second");
}

#[tokio::test]
async fn a_sixth_resume_within_five_seconds_is_refused_and_the_socket_stays_open() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("resumes").await;
    let (mut board, _) = subscribe(&app, &format!("restaurant=resumes&token={owner}"), Some(0)).await;
    for _ in 1..bistro_store::repo::RESUMES_PER_WINDOW {
        board.send(Message::text(json!({"type": "resume", "last_seq": 0}).to_string())).await.unwrap();
        assert_eq!(next(&mut board, Duration::from_secs(5)).await.unwrap()["type"], "resumed");
    }

    board.send(Message::text(json!({"type": "resume", "last_seq": 0}).to_string())).await.unwrap();
    let answer = next(&mut board, Duration::from_secs(5)).await.expect("an answer to the sixth resume");

    assert_eq!(
        (answer["type"].as_str(), answer["code"].as_str()),
        (Some("error"), Some("too_many_resumes")),
        "{answer}"
    );
    placed_order(&app, "resumes", "k1").await;
    assert_eq!(next(&mut board, Duration::from_secs(1)).await.expect("still live")["type"], "order");
}
