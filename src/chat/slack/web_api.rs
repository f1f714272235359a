//! A small Slack Web API client for what banso calls
//! (`conversations.open`, `chat.postMessage`, `views.*`, `users.info`,
//! `users.profile.get`). It reports Slack's answers
//! as typed errors — 429 with its `Retry-After`, 5xx, network failures and
//! `ok: false` codes — and leaves retrying to the sender, which owns the
//! pacing and the durable state.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use crate::config::Secret;

/// Slack's Web API.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// Why `SLACK_API_URL` cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiUrlProblem {
    /// Not an `https://` or `http://` URL at all.
    NotAUrl,
    /// Plain `http://` to another machine: the bot token travels with
    /// every call, so it would cross the network in clear.
    PlainHttpOffThisMachine,
}

/// Whether `SLACK_API_URL` may be used: any `https://` URL, and plain
/// `http://` only to this machine (a fake Slack in tests, a local proxy)
/// and without credentials in it.
pub fn check_api_url(raw: &str) -> Result<(), ApiUrlProblem> {
    let url = url::Url::parse(raw.trim()).map_err(|_| ApiUrlProblem::NotAUrl)?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(ApiUrlProblem::PlainHttpOffThisMachine),
        _ => Err(ApiUrlProblem::NotAUrl),
    }
}

/// Whether a URL's host is this machine, as the resolver would read it:
/// `localhost`, 127.0.0.0/8, `::1` (or 127.x mapped into IPv6); a user or
/// password before an `@` makes it another URL, refused.
fn is_loopback(url: &url::Url) -> bool {
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => {
            address.is_loopback()
                || address
                    .to_ipv4_mapped()
                    .is_some_and(|mapped| mapped.is_loopback())
        }
        None => false,
    }
}

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

/// What a user's Slack profile says, as banso uses it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// The display name, else the real name.
    pub name: Option<String>,
    /// From the profile field `SLACK_DEPARTMENT_FIELD` names, when set.
    pub department: Option<String>,
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
        blocks: &[SlackBlock],
    ) -> Result<String, ApiError> {
        let answer = self
            .call(
                "chat.postMessage",
                json!({ "channel": channel, "text": text, "blocks": blocks }),
            )
            .await?;
        Ok(answer["ts"].as_str().unwrap_or_default().to_owned())
    }

    /// A user's name and, if `department_field` is given, department:
    /// `title` reads the profile's title (users.info); an `Xf…` id reads
    /// that custom profile field (users.profile.get).
    pub async fn user_profile(
        &self,
        user: &str,
        department_field: Option<&str>,
    ) -> Result<Profile, ApiError> {
        let answer = self.call_form("users.info", &[("user", user)]).await?;
        let profile = &answer["user"]["profile"];
        let text = |value: &Value| {
            value
                .as_str()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let name = text(&profile["display_name"])
            .or_else(|| text(&profile["real_name"]))
            .or_else(|| text(&answer["user"]["real_name"]));
        let department = match department_field {
            None => None,
            Some("title") => text(&profile["title"]),
            Some(field) => {
                let answer = self
                    .call_form("users.profile.get", &[("user", user)])
                    .await?;
                text(&answer["profile"]["fields"][field]["value"])
            }
        };
        Ok(Profile { name, department })
    }

    /// Uploads a file into a conversation (files upload v2: get an upload
    /// URL, send the bytes there, complete the upload into the channel).
    pub async fn upload_file(
        &self,
        channel: &str,
        file_name: &str,
        bytes: Vec<u8>,
        comment: &str,
    ) -> Result<(), ApiError> {
        let length = bytes.len().to_string();
        let answer = self
            .call_form(
                "files.getUploadURLExternal",
                &[("filename", file_name), ("length", &length)],
            )
            .await?;
        let (Some(upload_url), Some(file_id)) =
            (answer["upload_url"].as_str(), answer["file_id"].as_str())
        else {
            return Err(ApiError::Refused(
                "no upload_url in files.getUploadURLExternal".into(),
            ));
        };
        let sent = self
            .http
            .post(upload_url)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(|error| ApiError::Network(error.without_url().to_string()))?;
        if sent.status().is_server_error() {
            return Err(ApiError::Server(sent.status().as_u16()));
        }
        if !sent.status().is_success() {
            return Err(ApiError::Refused(format!(
                "upload answered {}",
                sent.status()
            )));
        }
        self.call(
            "files.completeUploadExternal",
            json!({
                "files": [{ "id": file_id, "title": file_name }],
                "channel_id": channel,
                "initial_comment": comment,
            }),
        )
        .await
        .map(|_| ())
    }

    /// Opens a modal in answer to `trigger_id`.
    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> Result<(), ApiError> {
        self.call(
            "views.open",
            json!({ "trigger_id": trigger_id, "view": view }),
        )
        .await
        .map(|_| ())
    }

    /// Publishes a user's App Home tab.
    pub async fn publish_home(&self, user: &str, blocks: Vec<SlackBlock>) -> Result<(), ApiError> {
        let view = SlackView::Home(SlackHomeView::new(blocks));
        self.call("views.publish", json!({ "user_id": user, "view": view }))
            .await
            .map(|_| ())
    }

    /// A write method, with a JSON body.
    async fn call(&self, method: &str, body: Value) -> Result<Value, ApiError> {
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .json(&body);
        self.send(request).await
    }

    /// A read method, with form arguments (Slack's read methods do not all
    /// take JSON).
    async fn call_form(&self, method: &str, arguments: &[(&str, &str)]) -> Result<Value, ApiError> {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(arguments)
            .finish();
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ApiError> {
        let result = self.send_once(request).await;
        let unreachable = matches!(result, Err(ApiError::Network(_) | ApiError::Server(_)));
        self.note_reachability(!unreachable);
        result
    }

    async fn send_once(&self, request: reqwest::RequestBuilder) -> Result<Value, ApiError> {
        let response = request
            .bearer_auth(self.token.expose())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_accepted_only_to_this_machine() {
        for url in [
            "https://slack.com/api",
            "https://proxy.example.jp/api",
            "http://127.0.0.1:3001/api",
            "http://127.8.9.10/api",
            "HTTP://127.0.0.1:3001/api",
            "http://localhost:8080/api",
            "http://localhost",
            "http://[::1]:3001/api",
            "http://[::ffff:127.0.0.1]/api",
        ] {
            assert_eq!(check_api_url(url), Ok(()), "{url} should be accepted");
        }
        for url in [
            "http://slack.com/api",
            "HTTP://slack.com/api",
            "http://10.0.0.1:3001/api",
            "http://example.jp",
            "http://128.0.0.1/api",
            "http://127.0.0.1@192.0.2.1/",
            "http://localhost:x@evil.example/",
            "http://127.0.0.1.example.com/",
            "http://127.evil.example/api",
            "http://localhost.example.jp/api",
            "http://[::ffff:c000:201]/",
            "http://[2001:db8::1]/",
        ] {
            assert_eq!(
                check_api_url(url),
                Err(ApiUrlProblem::PlainHttpOffThisMachine),
                "{url} should be refused"
            );
        }
        for url in ["slack.com/api", "ftp://127.0.0.1/api", "", "https://"] {
            assert_eq!(check_api_url(url), Err(ApiUrlProblem::NotAUrl), "{url}");
        }
    }
}
