//! A small Slack Web API client for what the outbox sender needs
//! (`conversations.open`, `chat.postMessage`). It reports Slack's answers
//! as typed errors — 429 with its `Retry-After`, 5xx, network failures and
//! `ok: false` codes — and leaves retrying to the sender, which owns the
//! pacing and the durable state.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::config::Secret;

/// Slack's Web API.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// What went wrong with a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("rate limited; retry after {0:?}")]
    RateLimited(Duration),
    #[error("Slack answered HTTP {0}")]
    Server(u16),
    #[error("network error: {0}")]
    Network(String),
    /// `ok: false` with Slack's error code (e.g. `channel_not_found`):
    /// retrying does not help.
    #[error("Slack refused the call: {0}")]
    Refused(String),
}

impl ApiError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        !matches!(self, ApiError::Refused(_))
    }
}

/// The bot token and the base URL (`SLACK_API_URL` overrides it for tests
/// and proxies).
#[derive(Clone)]
pub struct WebApi {
    http: reqwest::Client,
    base: String,
    token: Secret,
    reachability: Arc<AtomicU8>,
}

/// What banso last saw of Slack, for `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reachability {
    /// Nothing tried yet.
    Unknown,
    /// The last call (or the Socket Mode connection) worked.
    Reachable,
    /// The last call failed on the network or with a 5xx, or the Socket
    /// Mode connection is down.
    Unreachable,
}

impl Reachability {
    pub fn code(self) -> &'static str {
        match self {
            Reachability::Unknown => "unknown",
            Reachability::Reachable => "ok",
            Reachability::Unreachable => "unreachable",
        }
    }
}

impl WebApi {
    pub fn new(token: Secret, base: Option<&str>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("the HTTP client builds with its defaults");
        Self {
            http,
            base: base
                .unwrap_or(DEFAULT_API_URL)
                .trim_end_matches('/')
                .to_owned(),
            token,
            reachability: Arc::new(AtomicU8::new(0)),
        }
    }

    /// What banso last saw of Slack.
    pub fn reachability(&self) -> Reachability {
        match self.reachability.load(Ordering::Relaxed) {
            1 => Reachability::Reachable,
            2 => Reachability::Unreachable,
            _ => Reachability::Unknown,
        }
    }

    /// Records what a call or the Socket Mode connection showed.
    pub fn note_reachability(&self, reachable: bool) {
        self.reachability
            .store(if reachable { 1 } else { 2 }, Ordering::Relaxed);
    }

    /// The DM channel with a user.
    pub async fn open_dm(&self, user: &str) -> Result<String, ApiError> {
        let answer = self
            .call("conversations.open", json!({ "users": user }))
            .await?;
        answer["channel"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Refused("no channel in conversations.open".into()))
    }

    /// Posts a message; returns its `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        text: &str,
        blocks: &Value,
    ) -> Result<String, ApiError> {
        let answer = self
            .call(
                "chat.postMessage",
                json!({ "channel": channel, "text": text, "blocks": blocks }),
            )
            .await?;
        Ok(answer["ts"].as_str().unwrap_or_default().to_owned())
    }

    /// Opens a modal in answer to `trigger_id`.
    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<(), ApiError> {
        self.call(
            "views.open",
            json!({ "trigger_id": trigger_id, "view": view }),
        )
        .await
        .map(|_| ())
    }

    /// Publishes a user's App Home tab.
    pub async fn publish_home(&self, user: &str, blocks: &Value) -> Result<(), ApiError> {
        self.call(
            "views.publish",
            json!({ "user_id": user, "view": { "type": "home", "blocks": blocks } }),
        )
        .await
        .map(|_| ())
    }

    async fn call(&self, method: &str, body: Value) -> Result<Value, ApiError> {
        let result = self.call_once(method, body).await;
        let unreachable = matches!(result, Err(ApiError::Network(_) | ApiError::Server(_)));
        self.note_reachability(!unreachable);
        result
    }

    async fn call_once(&self, method: &str, body: Value) -> Result<Value, ApiError> {
        let response = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(self.token.expose())
            .json(&body)
            .send()
            .await
            .map_err(|error| ApiError::Network(error.without_url().to_string()))?;
        let status = response.status();
        if status.as_u16() == 429 {
            let seconds = response
                .headers()
                .get("retry-after")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .unwrap_or(1);
            return Err(ApiError::RateLimited(Duration::from_secs(seconds)));
        }
        if status.is_server_error() {
            return Err(ApiError::Server(status.as_u16()));
        }
        let answer: Value = response
            .json()
            .await
            .map_err(|error| ApiError::Network(error.without_url().to_string()))?;
        if answer["ok"] == true {
            Ok(answer)
        } else {
            Err(ApiError::Refused(
                answer["error"]
                    .as_str()
                    .unwrap_or("unknown_error")
                    .to_owned(),
            ))
        }
    }
}
