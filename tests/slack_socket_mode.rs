//! Socket Mode against a fake Slack: `apps.connections.open` hands out a
//! `ws://127.0.0.1` URL, the fake sends `hello`, envelopes (a slash command,
//! a redelivery of it, one slack-morphism cannot read) and, once they are
//! acknowledged, `disconnect`; banso acknowledges each envelope after
//! handling it, handles a redelivery once, answers the unreadable one
//! through its `response_url`, and reconnects.

mod support;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use banso::chat::slack::socket_mode;
use banso::config::Secret;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone)]
struct Opener {
    ws_url: String,
    opened: Arc<Mutex<usize>>,
    /// What was posted to the fake's `response_url`.
    responses: Arc<Mutex<Vec<Value>>>,
}

async fn respond(State(opener): State<Opener>, Json(body): Json<Value>) -> Json<Value> {
    opener.responses.lock().unwrap().push(body);
    Json(json!({ "ok": true }))
}

async fn connections_open(
    State(opener): State<Opener>,
    headers: axum::http::HeaderMap,
) -> Json<Value> {
    assert_eq!(
        headers["authorization"], "Bearer xapp-test",
        "the app-level token is used"
    );
    *opener.opened.lock().unwrap() += 1;
    Json(json!({ "ok": true, "url": opener.ws_url }))
}

/// A slash command without its `trigger_id`, which slack-morphism
/// requires: its `response_url` is on the fake.
fn unreadable_command(envelope_id: &str, response_url: &str) -> Message {
    let envelope = json!({
        "envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "command": "/consult", "text": "相談", "user_id": "U0SATO", "team_id": "T1",
            "channel_id": "C0CONSULT", "response_url": response_url,
        },
    });
    Message::text(envelope.to_string())
}

fn slash_command(envelope_id: &str, text: &str) -> Message {
    let envelope = json!({
        "envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "command": "/consult", "text": text, "user_id": "U0SATO", "team_id": "T1",
            "channel_id": "C0CONSULT", "response_url": "http://127.0.0.1:9/commands/T1/1/abc",
            "trigger_id": format!("1.2.{envelope_id}"),
        },
    });
    Message::text(envelope.to_string())
}

/// Each connection: hello, then the scripted envelopes; their acks are
/// reported; then, on the first connection, `disconnect` (Slack asks for a
/// refresh on a connection whose envelopes are acknowledged).
async fn fake_socket(
    listener: tokio::net::TcpListener,
    acks: mpsc::UnboundedSender<(usize, Value)>,
    response_url: String,
) {
    let scripts: Vec<Vec<Message>> = vec![
        vec![
            slash_command("env-1", "VPNの相談"),
            slash_command("env-1", "VPNの相談"),
            unreadable_command("env-bad", &response_url),
        ],
        vec![slash_command("env-2", "クラウド利用の相談")],
    ];
    for (connection, script) in scripts.into_iter().enumerate() {
        let (stream, _) = listener.accept().await.unwrap();
        let mut socket = tokio_tungstenite::accept_async(stream).await.unwrap();
        socket
            .send(Message::text(
                json!({ "type": "hello", "num_connections": 1, "connection_info": { "app_id": "A1" }, "debug_info": { "host": "applink-test" } }).to_string(),
            ))
            .await
            .unwrap();
        let expected_acks = script
            .iter()
            .filter(|frame| frame.to_text().unwrap().contains("envelope_id"))
            .count();
        for frame in script {
            socket.send(frame).await.unwrap();
        }
        for _ in 0..expected_acks {
            let Some(Ok(Message::Text(ack))) = socket.next().await else {
                panic!("no ack")
            };
            acks.send((connection, serde_json::from_str(ack.as_str()).unwrap()))
                .unwrap();
        }
        if connection == 0 {
            let disconnect = json!({
                "type": "disconnect", "reason": "refresh_requested",
                "debug_info": { "host": "applink-test" },
            });
            socket
                .send(Message::text(disconnect.to_string()))
                .await
                .unwrap();
        }
        if connection == 1 {
            // Keep the last connection open until banso closes it.
            while let Some(Ok(frame)) = socket.next().await {
                if frame.is_close() {
                    break;
                }
            }
        }
    }
}

#[tokio::test]
async fn socket_mode_acknowledges_after_handling_handles_a_redelivery_once_and_reconnects() {
    let test = support::sqlite_store().await;
    let store = &test.store;
    let (bot, _clock) = support::bot_on(store, "2024-06-10T10:00:00+09:00");
    let ws_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link", ws_listener.local_addr().unwrap());
    let (ack_sender, mut acks) = mpsc::unbounded_channel();
    let opener = Opener {
        ws_url,
        opened: Arc::new(Mutex::new(0)),
        responses: Arc::default(),
    };
    let api = Router::new()
        .route("/api/apps.connections.open", post(connections_open))
        .route("/respond", post(respond))
        .with_state(opener.clone());
    let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_address = api_listener.local_addr().unwrap();
    let api_base = format!("http://{api_address}/api");
    tokio::spawn(fake_socket(
        ws_listener,
        ack_sender,
        format!("http://{api_address}/respond"),
    ));
    tokio::spawn(async move { axum::serve(api_listener, api).await.unwrap() });

    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(socket_mode::run(
        bot,
        Secret::new("xapp-test"),
        api_base,
        None,
        shutdown,
    ));
    let mut received = Vec::new();
    for _ in 0..4 {
        let ack = tokio::time::timeout(std::time::Duration::from_secs(10), acks.recv())
            .await
            .expect("an ack")
            .unwrap();
        received.push(ack);
    }
    // Envelopes are handled side by side, so the two acks of env-1 may
    // come in either order: one carries the answer, the other (whichever
    // envelope lost the claim on its id) only acknowledges.
    let first_connection: Vec<&Value> = received
        .iter()
        .filter(|(connection, ack)| *connection == 0 && ack["envelope_id"] == "env-1")
        .map(|(_, ack)| ack)
        .collect();
    assert_eq!(first_connection.len(), 2, "{received:?}");
    assert!(
        received.iter().any(
            |(connection, ack)| *connection == 0 && *ack == json!({ "envelope_id": "env-bad" })
        ),
        "an unreadable envelope is acknowledged: {received:?}"
    );
    assert!(
        first_connection
            .iter()
            .all(|ack| ack["envelope_id"] == "env-1")
    );
    let answered: Vec<&&Value> = first_connection
        .iter()
        .filter(|ack| ack["payload"]["response_type"] == "ephemeral")
        .collect();
    assert_eq!(
        answered.len(),
        1,
        "the command's answer rides on one ack: {received:?}"
    );
    assert!(
        first_connection
            .iter()
            .any(|ack| **ack == json!({ "envelope_id": "env-1" })),
        "a redelivery is only acknowledged: {received:?}"
    );
    assert_eq!(
        (received[3].0, received[3].1["envelope_id"].as_str()),
        (1, Some("env-2")),
        "after reconnecting"
    );
    // The answer goes out beside the ack.
    for _ in 0..200 {
        if !opener.responses.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let responses = opener.responses.lock().unwrap().clone();
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap()
            .contains("読み取れませんでした"),
        "{responses:?}"
    );
    assert_eq!(*opener.opened.lock().unwrap(), 2);

    // One consultation per envelope, stored before its ack.
    let all = banso::store::ListFilter {
        limit: 10,
        ..Default::default()
    };
    let consultations = store.list_consultations(&all).await.unwrap();
    assert_eq!(consultations.len(), 2, "{consultations:#?}");
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), running)
        .await
        .expect("stops on shutdown")
        .unwrap();
    test.cleanup().await;
}
