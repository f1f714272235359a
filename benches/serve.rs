//! `banso serve` over loopback HTTP: signed `/slack/commands` `/consult`
//! requests, each stored durably before its acknowledgement, at 1 and 16
//! connections; the time to drain 600 queued messages across 60 channels
//! at the 1 msg/s/channel pace; and the idle resident memory of the real
//! binary. Run with `cargo bench --bench serve`; figures go to
//! BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::{Json, Router};
use banso::bot::clock::{Clock, SystemClock};
use banso::bot::texts::Texts;
use banso::bot::{Bot, BotParts};
use banso::chat::slack::sender::Sender;
use banso::chat::slack::web_api::WebApi;
use banso::config::{Language, Secret, Settings};
use banso::message::{Outgoing, Recipient};
use banso::store::{NewMessage, Store};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

const SECRET: &str = "bench-signing-secret";
/// Requests per measured run (after a warm-up of a tenth as many).
const REQUESTS: usize = 16_000;

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * fraction).round() as usize]
}

fn signature(timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// One keep-alive HTTP/1.1 connection that writes a request and reads
/// its response (status line, headers, `content-length` body): a load
/// generator lean enough that the two cores go to the server it measures,
/// as an external tool's would.
struct Connection {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
    host: String,
}

impl Connection {
    async fn open(address: std::net::SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream: tokio::io::BufReader::new(stream),
            host: address.to_string(),
        }
    }

    /// Posts a signed slash command and returns the response status.
    async fn post_command(&mut self, body: &str) -> u16 {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let timestamp = SystemClock.now().timestamp();
        let request = format!(
            "POST /slack/commands HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             x-slack-request-timestamp: {timestamp}\r\nx-slack-signature: {}\r\ncontent-length: {}\r\n\r\n{body}",
            self.host,
            signature(timestamp, body),
            body.len()
        );
        self.stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .unwrap();
        let mut line = String::new();
        self.stream.read_line(&mut line).await.unwrap();
        let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut answer = vec![0; length];
        self.stream.read_exact(&mut answer).await.unwrap();
        status
    }
}

async fn acks(address: std::net::SocketAddr, connections: usize, requests: usize) {
    let per_connection = requests / connections;
    let mut opened = Vec::new();
    for _ in 0..connections {
        opened.push(Connection::open(address).await);
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for (number, mut connection) in opened.into_iter().enumerate() {
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_connection);
            for n in 0..per_connection {
                let body = format!(
                    "command=%2Fconsult&text=bench+{number}+{n}&user_id=U{number:03}&team_id=T1"
                );
                let sent = Instant::now();
                assert_eq!(connection.post_command(&body).await, 200);
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "  {connections:>2} connections: {:>5.0} acks/s  p50 {:.2} ms  p99 {:.2} ms  ({} requests)",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.len(),
    );
}

async fn drain(url: &str) {
    let store = &Store::open(url).await.unwrap();
    let app = Router::new()
        .route(
            "/api/chat.postMessage",
            post(|| async { Json(json!({ "ok": true, "ts": "1.2" })) }),
        )
        .route(
            "/api/conversations.open",
            post(|| async { Json(json!({ "ok": true, "channel": { "id": "D1" } })) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_url = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let messages: Vec<NewMessage> = (0..600)
        .map(|n| NewMessage {
            idempotency_key: format!("drain-{n}"),
            message: Outgoing {
                to: Recipient::Channel(format!("C{:02}", n % 60)),
                text: format!("message {n}"),
                buttons: Vec::new(),
            },
            deferred: None,
            edits: None,
            in_thread_of: None,
        })
        .collect();
    // Anything the ack benchmark queued is delivered first, untimed.
    let api = WebApi::new(Secret::new("xoxb-bench"), Some(&api_url));
    let mut sender = Sender::new(
        store.clone(),
        Arc::new(SystemClock),
        api.clone(),
        "#banso-team",
    );
    let mut warm = Sender::new(store.clone(), Arc::new(SystemClock), api, "#banso-team");
    warm.deliver_pending().await.unwrap();
    store.enqueue_messages(&messages, 0).await.unwrap();
    let started = Instant::now();
    let report = sender.deliver_pending().await.unwrap();
    let elapsed = started.elapsed();
    println!(
        "  drained {} messages across 60 channels in {:.2} s (floor 9 s at 1 msg/s/channel; {:+.1}%)",
        report.sent,
        elapsed.as_secs_f64(),
        (elapsed.as_secs_f64() / 9.0 - 1.0) * 100.0
    );
}

fn idle_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_banso"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env(
            "BANSO_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("idle.db").display()),
        )
        .env_remove("BANSO_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start banso serve");
    std::thread::sleep(Duration::from_secs(3));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss = status
        .lines()
        .find(|line| line.starts_with("VmRSS"))
        .unwrap_or("VmRSS: unknown")
        .to_owned();
    let _ = child.kill();
    let _ = child.wait();
    println!(
        "  idle banso serve: {}",
        rss.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    runtime.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let bot = Bot::new(BotParts {
            settings: Arc::new(Settings::default()),
            store: store.clone(),
            clock: Arc::new(SystemClock),
            texts: Arc::new(Texts::built_in(Language::Ja)),
        });
        // Staff whose department banso knows (the usual case after their
        // first consultation), as in benches/consult.rs.
        for connection in 0..16 {
            store
                .set_department(&format!("U{connection:03}"), "総務局 総務課", 0)
                .await
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = banso::chat::slack::http::router(bot, Some(Secret::new(SECRET)), None);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        println!("signed /consult over loopback HTTP, stored before each ack");
        // Warm-up: connections, page cache, prepared statements.
        println!("warm-up");
        acks(address, 16, REQUESTS / 10).await;
        println!("measured");
        acks(address, 1, REQUESTS / 4).await;
        acks(address, 16, REQUESTS).await;
        println!("outbox");
        drain(&format!(
            "sqlite://{}",
            dir.path().join("drain.db").display()
        ))
        .await;
    });
    println!("memory");
    idle_memory();
}
