//! banso's Slack Web API client: the calls it makes
//! (`conversations.open`, `chat.postMessage`, `chat.update`'s kin
//! `response_url`, `views.*`, `users.info`, `users.profile.get`, the
//! files upload) through slack-morphism's client, each bounded by a
//! timeout. It reports Slack's answers as typed errors — 429 with its
//! `Retry-After`, 5xx, network failures and refusals — and leaves retrying
//! to the sender, which owns the pacing and the durable state.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::blocks::content;
use super::connector::{self, Client};
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

/// How long one Web API call may take, from the connection to the last
/// byte of the answer: hyper's client has no timeout of its own.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// What a user's Slack profile says, as banso uses it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// The display name, else the real name.
    pub name: Option<String>,
    /// From the profile field `SLACK_DEPARTMENT_FIELD` names, when set.
    pub department: Option<String>,
}

/// The bot token and slack-morphism's client for the base URL
/// (`SLACK_API_URL` overrides it for tests and proxies). Cheap to clone;
/// clones share the client's connections.
#[derive(Clone)]
pub struct WebApi {
    client: Arc<Client>,
    token: Arc<SlackApiToken>,
    reachability: Arc<AtomicU8>,
    timeout: Duration,
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

/// What a call came to.
enum Answer<T> {
    /// Slack's answer, read into slack-morphism's type.
    Read(T),
    /// `ok: true`, but in a shape slack-morphism's type refuses (a field
    /// it requires and Slack left out): the answer as JSON.
    Unreadable(Value),
}

/// slack-morphism's errors as the sender reads them.
fn api_error(error: SlackClientError) -> ApiError {
    use SlackClientError as E;
    match error {
        E::RateLimitError(limited) => {
            // Slack always sends Retry-After with a 429; a second if not.
            ApiError::RateLimited(limited.retry_after.unwrap_or(Duration::from_secs(1)))
        }
        E::HttpError(http) if http.status_code.is_server_error() => {
            ApiError::Server(http.status_code.as_u16())
        }
        E::HttpError(http) => ApiError::Refused(format!("http_{}", http.status_code.as_u16())),
        E::ApiError(refused) => ApiError::Refused(refused.code),
        E::ProtocolError(_) => ApiError::Refused("unreadable_answer".into()),
        // These messages name no URL (the connection's error, not the
        // request's).
        other => ApiError::Network(other.to_string()),
    }
}

impl WebApi {
    pub fn new(token: Secret, base: Option<&str>) -> Self {
        let token = SlackApiToken::new(SlackApiTokenValue(token.expose().to_owned()));
        Self {
            client: connector::client(base.unwrap_or(DEFAULT_API_URL)),
            token: Arc::new(token),
            reachability: Arc::new(AtomicU8::new(0)),
            timeout: CALL_TIMEOUT,
        }
    }

    /// The same client with another bound on each call (`CALL_TIMEOUT`
    /// otherwise): for tests of a Web API that never answers.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// slack-morphism's client, for Socket Mode's listener.
    pub(super) fn client(&self) -> Arc<Client> {
        self.client.clone()
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

    /// Runs one call of `method` within `CALL_TIMEOUT`, notes what it
    /// showed of Slack and counts it in `/metrics`.
    async fn send<T>(
        &self,
        method: &'static str,
        call: impl Future<Output = ClientResult<T>>,
    ) -> Result<Answer<T>, ApiError> {
        let result = bounded(self.timeout, call).await;
        let unreachable = matches!(result, Err(ApiError::Network(_) | ApiError::Server(_)));
        self.note_reachability(!unreachable);
        count_call(method, &result);
        result
    }

    /// The DM channel with a user.
    pub async fn open_dm(&self, user: &str) -> Result<String, ApiError> {
        let session = self.client.open_session(&self.token);
        let request =
            SlackApiConversationsOpenRequest::new().with_users(vec![SlackUserId(user.to_owned())]);
        match self
            .send("conversations.open", session.conversations_open(&request))
            .await?
        {
            Answer::Read(answer) => Ok(answer.channel.id.0),
            Answer::Unreadable(_) => Err(ApiError::Refused("unreadable_answer".into())),
        }
    }

    /// Posts a message; returns the conversation's id as Slack answered it
    /// (a channel given by name comes back as its `C…` id) and the post's
    /// `ts`. An answer that says `ok` but cannot be read still means Slack
    /// posted it: it is not posted again.
    /// `mark`, carried as the message's metadata, lets `find_marked` find
    /// it again.
    pub async fn post_message(
        &self,
        channel: &str,
        text: &str,
        blocks: &[SlackBlock],
        thread_ts: Option<&str>,
        mark: Option<&PostMark<'_>>,
    ) -> Result<(String, String), ApiError> {
        let session = self.client.open_session(&self.token);
        let mut content = content(text.to_owned(), blocks.to_vec());
        content.metadata = mark.map(PostMark::metadata);
        let mut request =
            SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_owned()), content);
        request.thread_ts = thread_ts.map(|ts| SlackTs(ts.to_owned()));
        Ok(
            match self
                .send("chat.postMessage", session.chat_post_message(&request))
                .await?
            {
                Answer::Read(answer) => (answer.channel.0, answer.ts.0),
                Answer::Unreadable(body) => (
                    body["channel"].as_str().unwrap_or_default().to_owned(),
                    body["ts"].as_str().unwrap_or_default().to_owned(),
                ),
            },
        )
    }

    /// Edits a posted message in place (`chat.update`): its text and
    /// blocks become these.
    pub async fn update_message(
        &self,
        channel: &str,
        ts: &str,
        text: &str,
        blocks: &[SlackBlock],
    ) -> Result<(), ApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(channel.to_owned()),
            content(text.to_owned(), blocks.to_vec()),
            SlackTs(ts.to_owned()),
        );
        self.send("chat.update", session.chat_update(&request))
            .await
            .map(|_| ())
    }

    /// Looks in `channel` for the posts of the outbox message `key`
    /// (their metadata, `PostMark`) among those posted at or after
    /// `oldest_ms`: `conversations.history` for its first post, and for a
    /// message of several posts `conversations.replies` in the first
    /// one's thread; for a reply (`thread`: its thread's ts), the
    /// thread alone. Read as JSON: a channel's history holds messages of
    /// every kind, and one that slack-morphism's types refuse must not
    /// hide the others.
    pub async fn find_marked(
        &self,
        channel: &str,
        key: &str,
        oldest_ms: i64,
        thread: Option<&str>,
    ) -> Result<Option<Found>, ApiError> {
        let oldest = slack_ts(oldest_ms);
        if let Some(root) = thread {
            // A reply in a thread: all its posts are in that thread.
            let posts = self
                .marked_replies(channel, root, key, Some(&oldest))
                .await?;
            let Some((first_ts, _, parts)) = posts.iter().min_by_key(|(_, part, _)| *part).cloned()
            else {
                return Ok(None);
            };
            let posted = posts.iter().map(|(_, part, _)| *part).max().unwrap_or(1);
            return Ok(Some(Found {
                posted,
                parts,
                first_ts,
                thread_ts: root.to_owned(),
            }));
        }
        let mut cursor: Option<String> = None;
        let mut first: Option<(String, usize, usize)> = None;
        for _ in 0..HISTORY_PAGES {
            let page = self
                .get_json(
                    "conversations.history",
                    &[
                        ("channel", Some(channel)),
                        ("oldest", Some(oldest.as_str())),
                        ("inclusive", Some("true")),
                        ("include_all_metadata", Some("true")),
                        ("limit", Some("200")),
                        ("cursor", cursor.as_deref()),
                    ],
                )
                .await?;
            first = marked_posts(&page, key).into_iter().next();
            cursor = next_cursor(&page);
            if first.is_some() || cursor.is_none() {
                break;
            }
        }
        if first.is_none() && cursor.is_some() {
            tracing::warn!(
                message = key,
                "the channel's history since the doubt is longer than banso reads; taken as not posted"
            );
        }
        let Some((ts, part, parts)) = first else {
            return Ok(None);
        };
        let mut posted = part;
        if parts > 1 {
            posted = self
                .marked_replies(channel, &ts, key, None)
                .await?
                .into_iter()
                .map(|(_, part, _)| part)
                .fold(posted, usize::max);
        }
        Ok(Some(Found {
            posted,
            parts,
            first_ts: ts.clone(),
            thread_ts: ts,
        }))
    }

    /// The posts of outbox message `key` in the thread of `ts` (at or
    /// after `oldest`, if given): (ts, part, parts).
    async fn marked_replies(
        &self,
        channel: &str,
        ts: &str,
        key: &str,
        oldest: Option<&str>,
    ) -> Result<Vec<(String, usize, usize)>, ApiError> {
        let mut found = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..HISTORY_PAGES {
            let page = self
                .get_json(
                    "conversations.replies",
                    &[
                        ("channel", Some(channel)),
                        ("ts", Some(ts)),
                        ("oldest", oldest),
                        ("include_all_metadata", Some("true")),
                        ("limit", Some("200")),
                        ("cursor", cursor.as_deref()),
                    ],
                )
                .await?;
            found.extend(marked_posts(&page, key));
            cursor = next_cursor(&page);
            if cursor.is_none() {
                break;
            }
        }
        Ok(found)
    }

    /// A GET method of the Web API, its answer as JSON.
    async fn get_json(
        &self,
        method: &'static str,
        params: &[(&str, Option<&str>)],
    ) -> Result<Value, ApiError> {
        let session = self.client.open_session(&self.token);
        let params: Vec<(&str, Option<&str>)> = params.to_vec();
        match self
            .send(
                method,
                session
                    .http_session_api
                    .http_get::<Value, _, &str>(method, &params, None),
            )
            .await?
        {
            Answer::Read(body) | Answer::Unreadable(body) => Ok(body),
        }
    }

    /// A user's name and, if `department_field` is given, department:
    /// `title` reads the profile's title (users.info); an `Xf…` id reads
    /// that custom profile field (users.profile.get).
    pub async fn user_profile(
        &self,
        user: &str,
        department_field: Option<&str>,
    ) -> Result<Profile, ApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiUsersInfoRequest::new(SlackUserId(user.to_owned()));
        let (name, title) = match self
            .send("users.info", session.users_info(&request))
            .await?
        {
            Answer::Read(answer) => {
                let profile = answer.user.profile.as_ref();
                let name = text(profile.and_then(|profile| profile.display_name.as_deref()))
                    .or_else(|| text(profile.and_then(|profile| profile.real_name.as_deref())))
                    .or_else(|| text(answer.user.real_name.as_deref()));
                let title = text(profile.and_then(|profile| profile.title.as_deref()));
                (name, title)
            }
            Answer::Unreadable(body) => lenient::name_and_title(&body),
        };
        let department = match department_field {
            None => None,
            Some("title") => title,
            Some(field) => {
                let request =
                    SlackApiUsersProfileGetRequest::new().with_user(SlackUserId(user.to_owned()));
                match self
                    .send("users.profile.get", session.users_profile_get(&request))
                    .await?
                {
                    Answer::Read(answer) => answer
                        .profile
                        .fields
                        .as_ref()
                        .and_then(|fields| fields.get(&SlackUserProfileFieldId(field.to_owned())))
                        .and_then(|value| text(Some(&value.value))),
                    Answer::Unreadable(body) => lenient::field(&body, field),
                }
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
        let session = self.client.open_session(&self.token);
        let request =
            SlackApiFilesGetUploadUrlExternalRequest::new(file_name.to_owned(), bytes.len());
        let Answer::Read(target) = self
            .send(
                "files.getUploadURLExternal",
                session.get_upload_url_external(&request),
            )
            .await?
        else {
            return Err(ApiError::Refused("unreadable_answer".into()));
        };
        self.send_bytes(&target.upload_url.0, bytes).await?;
        let request = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(target.file_id).with_title(file_name.to_owned()),
        ])
        .with_channel_id(SlackChannelId(channel.to_owned()))
        .with_initial_comment(comment.to_owned());
        self.send(
            "files.completeUploadExternal",
            session.files_complete_upload_external(&request),
        )
        .await
        .map(|_| ())
    }

    /// The file's bytes to the upload URL Slack gave. Without the bot
    /// token, unlike slack-morphism's `files_upload_via_url`: the URL is
    /// whatever the answer said, and a proxy on `SLACK_API_URL` could name
    /// any host. Slack answers `OK - <length>` in plain text; any 200 is
    /// taken.
    async fn send_bytes(&self, upload_url: &url::Url, bytes: Vec<u8>) -> Result<(), ApiError> {
        let span = tracing::Span::none();
        let context = SlackClientApiCallContext {
            rate_control_params: None,
            token: None,
            tracing_span: &span,
            is_sensitive_url: true,
        };
        let sent = self
            .client
            .http_api
            .connector
            .http_post_uri_binary::<SlackApiFilesUploadViaUrlResponse>(
                upload_url.clone(),
                "application/octet-stream".to_owned(),
                &bytes,
                context,
            );
        match self.send("files.upload", sent).await {
            Ok(_) => Ok(()),
            Err(ApiError::Refused(code)) if code == "unreadable_answer" => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Opens a modal in answer to `trigger_id`.
    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> Result<(), ApiError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiViewsOpenRequest::new(SlackTriggerId(trigger_id.to_owned()), view);
        self.send("views.open", session.views_open(&request))
            .await
            .map(|_| ())
    }

    /// Publishes a user's App Home tab.
    pub async fn publish_home(&self, user: &str, blocks: Vec<SlackBlock>) -> Result<(), ApiError> {
        let session = self.client.open_session(&self.token);
        let view = SlackView::Home(SlackHomeView::new(blocks));
        let request = SlackApiViewsPublishRequest::new(SlackUserId(user.to_owned()), view);
        self.send("views.publish", session.views_publish(&request))
            .await
            .map(|_| ())
    }
}

/// How many pages of 200 messages `find_marked` reads at most: a crash's
/// window is a minute or two, in which a channel holds far fewer.
const HISTORY_PAGES: usize = 10;

/// The metadata `event_type` of banso's outbox posts.
pub const POST_MARK_EVENT: &str = "banso_outbox_post";

/// What a post carries as Slack message metadata: its outbox message's
/// idempotency key and which of the message's posts it is (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostMark<'a> {
    pub key: &'a str,
    pub part: usize,
    pub parts: usize,
}

impl PostMark<'_> {
    fn metadata(&self) -> SlackMessageMetadata {
        let payload = [
            ("key", self.key.to_owned()),
            ("part", self.part.to_string()),
            ("parts", self.parts.to_string()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        SlackMessageMetadata {
            event_type: POST_MARK_EVENT.to_owned(),
            event_payload: Some(payload),
        }
    }
}

/// What `find_marked` found of a message in Slack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// How many of its posts Slack has (the highest part found).
    pub posted: usize,
    pub parts: usize,
    /// Its first post: where it is, for a later edit.
    pub first_ts: String,
    /// The thread its later posts go under: its first post's, or, for a
    /// reply, the thread's.
    pub thread_ts: String,
}

/// The posts of outbox message `key` on a page of `conversations.history`
/// or `.replies`: (ts, part, parts), in the page's order.
fn marked_posts(page: &Value, key: &str) -> Vec<(String, usize, usize)> {
    let Some(messages) = page["messages"].as_array() else {
        return Vec::new();
    };
    messages
        .iter()
        .filter(|message| message["metadata"]["event_type"] == POST_MARK_EVENT)
        .filter_map(|message| {
            let payload = &message["metadata"]["event_payload"];
            if payload["key"].as_str() != Some(key) {
                return None;
            }
            let number = |name: &str| match &payload[name] {
                Value::String(text) => text.parse::<usize>().ok(),
                Value::Number(number) => number.as_u64().and_then(|n| usize::try_from(n).ok()),
                _ => None,
            };
            Some((
                message["ts"].as_str()?.to_owned(),
                number("part")?,
                number("parts")?,
            ))
        })
        .collect()
}

fn next_cursor(page: &Value) -> Option<String> {
    page["response_metadata"]["next_cursor"]
        .as_str()
        .filter(|cursor| !cursor.is_empty())
        .map(str::to_owned)
}

/// Epoch milliseconds as a Slack `ts` (seconds with six decimals).
fn slack_ts(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{}.{:06}", ms / 1000, (ms % 1000) * 1000)
}

/// A call and what it came to, in `/metrics`: `ok`, the HTTP status of a
/// 429 or a 5xx, `network`, or Slack's error code.
fn count_call<T>(method: &str, result: &Result<T, ApiError>) {
    let status = match result {
        Ok(_) => "ok".to_owned(),
        Err(ApiError::RateLimited(_)) => "429".to_owned(),
        Err(ApiError::Server(status)) => status.to_string(),
        Err(ApiError::Network(_)) => "network".to_owned(),
        Err(ApiError::Refused(code)) => code.clone(),
    };
    super::metrics::global().api_call(method, &status);
}

/// One call within `CALL_TIMEOUT`, its errors as the sender reads them.
async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = ClientResult<T>>,
) -> Result<Answer<T>, ApiError> {
    match tokio::time::timeout(timeout, call).await {
        Err(_) => Err(ApiError::Network("timed out".into())),
        Ok(Ok(answer)) => Ok(Answer::Read(answer)),
        Ok(Err(SlackClientError::ProtocolError(unreadable))) => {
            let body = unreadable
                .json_body
                .as_deref()
                .and_then(|body| serde_json::from_str::<Value>(body).ok());
            match body {
                Some(body) if body["ok"] == true => {
                    tracing::warn!(
                        error = %unreadable.json_error,
                        "Slack's answer is not in the shape slack-morphism expects"
                    );
                    Ok(Answer::Unreadable(body))
                }
                _ => Err(ApiError::Refused("unreadable_answer".into())),
            }
        }
        Ok(Err(error)) => Err(api_error(error)),
    }
}

/// A message sent to a `response_url`: a new message only the person sees
/// (Slack's default there), or, with `replace_original`, the pressed
/// message redrawn for everyone who sees it. No token travels with it —
/// the URL is its own authority — so it needs no `WebApi`; like
/// `SLACK_API_URL`, it is taken in plain http only to this machine.
pub async fn respond(
    response_url: &url::Url,
    message: SlackMessageContent,
    replace_original: bool,
) -> Result<(), ApiError> {
    if check_api_url(response_url.as_str()).is_err() {
        return Err(ApiError::Refused("response_url_not_allowed".into()));
    }
    let request = SlackApiPostWebhookMessageRequest::new(message)
        .opt_replace_original(replace_original.then_some(true));
    let url = SlackResponseUrl(response_url.clone());
    let result = bounded(
        CALL_TIMEOUT,
        connector::responder().respond_to_event(&url, &request),
    )
    .await
    .map(|_| ());
    count_call("response_url", &result);
    result
}

/// A profile's text, if it says anything.
fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// Profiles read by hand, where slack-morphism's `SlackUserProfile`
/// refuses what Slack sends: `"fields": []` for a person with no custom
/// fields (an empty list where it expects a map).
mod lenient {
    use serde_json::Value;

    use super::text;

    pub(super) fn name_and_title(answer: &Value) -> (Option<String>, Option<String>) {
        let profile = &answer["user"]["profile"];
        let name = text(profile["display_name"].as_str())
            .or_else(|| text(profile["real_name"].as_str()))
            .or_else(|| text(answer["user"]["real_name"].as_str()));
        (name, text(profile["title"].as_str()))
    }

    pub(super) fn field(answer: &Value, field: &str) -> Option<String> {
        text(answer["profile"]["fields"][field]["value"].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use slack_morphism::errors::*;

    /// Why profiles are read by hand when slack-morphism refuses them:
    /// Slack says "no custom fields" with an empty list.
    #[test]
    fn a_profile_without_custom_fields_is_read_by_hand() {
        let answer = serde_json::json!({
            "ok": true,
            "user": { "id": "U1", "real_name": "田中", "profile": { "display_name": "", "real_name": "田中", "title": "総務課", "fields": [] } },
        });
        assert!(serde_json::from_value::<SlackApiUsersInfoResponse>(answer.clone()).is_err());
        assert_eq!(
            lenient::name_and_title(&answer),
            (Some("田中".to_owned()), Some("総務課".to_owned()))
        );
        let profile = serde_json::json!({ "ok": true, "profile": { "fields": { "Xf1": { "value": " 市民局 ", "alt": "" } } } });
        assert_eq!(lenient::field(&profile, "Xf1").as_deref(), Some("市民局"));
        assert_eq!(lenient::field(&profile, "Xf2"), None);
    }

    #[test]
    fn slack_morphisms_errors_are_read_as_the_sender_needs_them() {
        let cases = [
            (
                SlackClientError::RateLimitError(
                    SlackRateLimitError::new().with_retry_after(Duration::from_secs(30)),
                ),
                ApiError::RateLimited(Duration::from_secs(30)),
            ),
            (
                SlackClientError::RateLimitError(SlackRateLimitError::new()),
                ApiError::RateLimited(Duration::from_secs(1)),
            ),
            (
                SlackClientError::HttpError(SlackClientHttpError::new(StatusCode::BAD_GATEWAY)),
                ApiError::Server(502),
            ),
            (
                SlackClientError::HttpError(SlackClientHttpError::new(StatusCode::NOT_FOUND)),
                ApiError::Refused("http_404".into()),
            ),
            (
                SlackClientError::ApiError(SlackClientApiError::new("channel_not_found".into())),
                ApiError::Refused("channel_not_found".into()),
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(api_error(error), expected);
        }
        let lost = api_error(SlackClientError::HttpProtocolError(
            SlackClientHttpProtocolError::new(),
        ));
        assert!(matches!(lost, ApiError::Network(_)), "{lost:?}");
        assert!(lost.is_transient());
    }

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
