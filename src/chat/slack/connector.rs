//! The HTTP connector under slack-morphism's client, for the Web API and
//! for Socket Mode's `apps.connections.open`: slack-morphism's hyper
//! connector over a TLS connector of banso's own. Its own `new()` would
//! speak HTTP/2 only (ALPN `h2`), refuse plain http (a fake Slack on this
//! machine) and depend on a process-wide TLS provider; this one offers
//! HTTP/1.1 alone — HTTP/2's code is linked through slack-morphism but
//! never runs — uses ring explicitly, and takes `http://` only where
//! `SLACK_API_URL` is plain http (which `check_api_url` allows to this
//! machine alone). slack-morphism's rate control is not enabled: its
//! sleeps are not on banso's `Clock`, and the sender is the one pacer.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use hyper_rustls::{ConfigBuilderExt, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::prelude::*;

/// The connector slack-morphism's client runs on.
pub type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// slack-morphism's client, shared by every call.
pub type Client = SlackClient<Connector>;

/// How long opening a TCP connection may take. slack-morphism's listener
/// calls `apps.connections.open` itself, beyond banso's per-call timeout,
/// so this is what bounds a call to a host that never answers the
/// connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for the Web API at `base` (`https://slack.com/api`, or
/// `SLACK_API_URL`).
pub fn client(base: &str) -> Arc<Client> {
    let mut tcp = HttpConnector::new();
    // The TLS layer, not the TCP one, decides which schemes are allowed.
    tcp.enforce_http(false);
    tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
    tcp.set_nodelay(true);
    let tls = HttpsConnectorBuilder::new().with_tls_config(tls_config());
    let tls = if base
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("https://")
    {
        tls.https_only()
    } else {
        tls.https_or_http()
    };
    let https = tls.enable_http1().wrap_connector(tcp);
    let connector = SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(base.trim().trim_end_matches('/'));
    Arc::new(SlackClient::new(connector))
}

/// The client for `response_url`s, which name their own host (Slack's
/// `hooks.slack.com`; a fake Slack on this machine in tests): made when
/// first needed, then shared. Which URLs it is given is
/// `web_api::respond`'s to check.
pub fn responder() -> Arc<Client> {
    static RESPONDER: LazyLock<Arc<Client>> = LazyLock::new(|| client("http://"));
    RESPONDER.clone()
}

/// ring with the system's root certificates; without any (a container
/// with no CA bundle) an empty store, so that banso still starts, says
/// why, and reaches a plain-http fake Slack.
fn tls_config() -> rustls::ClientConfig {
    let builder = || {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports rustls's default protocol versions")
    };
    match builder().with_native_roots() {
        Ok(config) => config.with_no_client_auth(),
        Err(error) => {
            tracing::error!(%error, "no root certificates: HTTPS to Slack will fail");
            builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        }
    }
}
