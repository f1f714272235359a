//! The Slack adapter, on slack-morphism: its types for everything Slack
//! sends and takes (commands, interactions, events, Block Kit, views, Web
//! API requests and answers), its Web API client, its Socket Mode listener
//! and its request verifier; banso adds the HTTP endpoints, the replay and
//! workspace guards, the text's decoding and escaping, Slack's limits and
//! the outbox sender. Slack's types stop here; the bot core sees only its
//! own message model.
//!
//! Every request is acknowledged without waiting for the Web API: a call
//! that must follow the request (`views.open`) runs right after the ack,
//! and the one wait left in front of it (a first-contact profile lookup,
//! `profiles`) is bounded.

pub mod blocks;
mod connector;
pub mod http;
mod inbound;
pub mod metrics;
pub mod modal;
pub mod mrkdwn;
mod profiles;
pub mod sender;
pub mod signature;
pub mod socket_mode;
pub mod web_api;
mod workspace;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;

use crate::bot::Bot;
use crate::config::Secret;
use crate::scheduler::Scheduler;

/// How long a shutdown waits for the outbox to drain.
const FLUSH_BOUND: Duration = Duration::from_secs(10);
/// How long before the flush bound the flush stops starting posts.
const FLUSH_MARGIN: Duration = Duration::from_secs(1);
/// How often the sender looks for new messages in the outbox.
const OUTBOX_POLL: Duration = Duration::from_millis(500);
/// How often the replay claims past Slack's window are deleted.
const CLAIM_SWEEP: Duration = Duration::from_secs(60);
/// How often the search indexer looks for new consultations.
const INDEX_POLL: Duration = Duration::from_secs(2);
/// Claims are kept this long past the five-minute window, for clocks of
/// replicas that disagree by up to that much.
const CLAIM_MARGIN_SECONDS: i64 = 60;

/// The Web API client, with what the adapter keeps beside it for the
/// requests that use it. Cheap to clone; clones share everything.
#[derive(Clone)]
struct SlackApi {
    client: web_api::WebApi,
    /// The profile lookups under way (`profiles`).
    lookups: profiles::Lookups,
}

impl SlackApi {
    fn new(client: web_api::WebApi) -> Self {
        Self {
            client,
            lookups: profiles::Lookups::default(),
        }
    }
}

/// How banso hears from Slack.
pub enum Transport {
    /// The HTTP Events API on `--listen`, verified with the signing secret.
    Http { signing_secret: Secret },
    /// Socket Mode with the app-level token; `--listen` serves `/healthz`.
    SocketMode { app_token: Secret, api_base: String },
}

/// Runs the transport, the scheduler and the outbox sender until
/// `shutdown` completes; then stops taking requests, lets in-flight ones
/// finish, and flushes the outbox within a bound.
pub async fn serve(
    bot: Bot,
    transport: Transport,
    api: web_api::WebApi,
    mut sender: sender::Sender,
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    install_tls_provider();
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    let (stop, stopped) = watch::channel(false);
    let scheduler = Scheduler::new(bot.clone(), format!("serve-{}", std::process::id()));
    let scheduling = tokio::spawn({
        let stopped = stopped.clone();
        async move { scheduler.run(stopped).await }
    });
    let delivering = tokio::spawn({
        let mut stopped = stopped.clone();
        async move {
            // A stop ends a delivery step under way before its next post,
            // never in the middle of one (whose answer would be lost and
            // the message posted again).
            let interrupt = sender.interrupt_handle();
            let interrupt_on_stop = tokio::spawn({
                let interrupt = interrupt.clone();
                let mut stopped = stopped.clone();
                async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                    interrupt.store(true, Ordering::Release);
                }
            });
            loop {
                // A channel waiting out its pace or a backoff does not hold
                // up new messages to other channels, nor a stop.
                let step = sender.deliver_due().await;
                if *stopped.borrow() {
                    break;
                }
                let pause = match step {
                    Ok(step) => step
                        .next_try_at
                        .map_or(OUTBOX_POLL, |at| sender.time_until(at).min(OUTBOX_POLL)),
                    Err(error) => {
                        tracing::error!(
                            error = format!("{error:#}"),
                            "delivering the outbox failed"
                        );
                        OUTBOX_POLL
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stopped.changed() => break,
                }
            }
            // The flush: delivery goes on, and is interrupted the same way
            // a little before the bound, which only cuts off a post that
            // is slower than that.
            // Done with (or never to run) before the flag is cleared, so
            // that it cannot interrupt the flush from the start.
            interrupt_on_stop.abort();
            let _ = interrupt_on_stop.await;
            interrupt.store(false, Ordering::Release);
            let flush_ends = tokio::spawn({
                let interrupt = interrupt.clone();
                async move {
                    tokio::time::sleep(FLUSH_BOUND.saturating_sub(FLUSH_MARGIN)).await;
                    interrupt.store(true, Ordering::Release);
                }
            });
            let flushed = tokio::time::timeout(FLUSH_BOUND, sender.deliver_pending()).await;
            if !matches!(flushed, Ok(Ok(_))) || sender.has_pending().await {
                tracing::warn!(
                    "outbox not drained before shutdown; the rest goes out after the restart"
                );
            }
            flush_ends.abort();
            // The next process (or another replica) takes these channels
            // at once rather than after the lease.
            if let Err(error) = sender.release_turns().await {
                tracing::warn!(%error, "channel turns not released; they free themselves when their leases end");
            }
        }
    });
    let indexing = tokio::spawn(index_for_search(bot.clone(), stopped.clone()));
    let (signing_secret, socket) = match transport {
        Transport::Http { signing_secret } => {
            tokio::spawn(sweep_request_claims(bot.clone(), stopped.clone()));
            (Some(signing_secret), None)
        }
        Transport::SocketMode {
            app_token,
            api_base,
        } => {
            let socket = tokio::spawn(socket_mode::run(
                bot.clone(),
                app_token,
                api_base,
                Some(api.clone()),
                stopped.clone(),
            ));
            (None, Some(socket))
        }
    };
    let app = http::router(bot, signing_secret, Some(api));
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        })
        .await?;
    if let Some(socket) = socket {
        let _ = socket.await;
    }
    let _ = scheduling.await;
    let _ = delivering.await;
    let _ = indexing.await;
    Ok(())
}

/// Indexes new consultations for search, and tells the team of similar
/// past ones, a moment after their intake (never on its path): a round
/// every `INDEX_POLL`, more at once while a backlog lasts.
async fn index_for_search(bot: Bot, mut stopped: watch::Receiver<bool>) {
    loop {
        let pause = match crate::bot::consultations::search::index_round(&bot).await {
            Ok(0) => INDEX_POLL,
            Ok(_) => Duration::ZERO,
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "indexing for search failed");
                INDEX_POLL
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// Makes ring the process's TLS provider. rustls picks one by itself only
/// when exactly one is compiled in, and a build can hold two (aws-lc-rs
/// comes with reqwest in the tests); without this, the first `wss://`
/// connection (tokio-tungstenite builds its TLS configuration from the
/// process default) would panic. A second call changes nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Deletes, from time to time, the replay claims of requests whose
/// timestamp is past Slack's window: their replays are refused as stale.
async fn sweep_request_claims(bot: Bot, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(CLAIM_SWEEP) => {}
            _ = stopped.changed() => return,
        }
        let before =
            bot.clock().now().timestamp() - signature::MAX_SKEW_SECONDS - CLAIM_MARGIN_SECONDS;
        if let Err(error) = bot.store().forget_signed_requests_before(before).await {
            tracing::warn!(%error, "old replay claims not deleted; trying again later");
        }
    }
}
