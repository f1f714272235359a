//! `banso serve`: connects the bot core to Slack (Socket Mode when an
//! app-level token is set, else the HTTP Events API) until Ctrl-C or
//! SIGTERM.

use std::sync::Arc;

use serde_json::json;

use super::{Failure, open_store};
use crate::bot::clock::{Clock, SystemClock};
use crate::bot::texts::Texts;
use crate::bot::{Bot, BotParts};
use crate::chat::slack::Transport;
use crate::chat::slack::sender::Sender;
use crate::chat::slack::web_api::{self, DEFAULT_API_URL, WebApi};
use crate::config::Settings;

pub(super) async fn run_serve(
    settings: Settings,
    texts: Texts,
    listen: std::net::SocketAddr,
) -> Result<(), Failure> {
    let missing =
        |var: &str| Failure::usage(texts.render("cli/serve_missing", json!({ "var": var })));
    let token = settings
        .slack
        .bot_token
        .clone()
        .ok_or_else(|| missing("SLACK_BOT_TOKEN"))?;
    let api_url = settings.slack.api_url.clone();
    if let Some(url) = &api_url
        && let Err(problem) = web_api::check_api_url(url)
    {
        let template = match problem {
            web_api::ApiUrlProblem::NotAUrl => "cli/bad_api_url",
            web_api::ApiUrlProblem::PlainHttpOffThisMachine => "cli/plain_http_api",
        };
        return Err(Failure::usage(
            texts.render(template, json!({ "url": url })),
        ));
    }
    // Socket Mode when an app-level token is set; else the HTTP Events API.
    let transport = match settings.slack.app_token.clone() {
        Some(app_token) => Transport::SocketMode {
            app_token,
            api_base: api_url
                .clone()
                .unwrap_or_else(|| DEFAULT_API_URL.to_owned()),
        },
        None => Transport::Http {
            signing_secret: settings
                .slack
                .signing_secret
                .clone()
                .ok_or_else(|| missing("SLACK_SIGNING_SECRET"))?,
        },
    };
    let store = open_store(&settings, &texts).await?;
    let texts = Arc::new(texts);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let team_channel = settings.channels.team.clone();
    let bot = Bot::new(BotParts {
        settings: Arc::new(settings),
        store: store.clone(),
        clock: clock.clone(),
        texts: texts.clone(),
    });
    let api = WebApi::new(token, api_url.as_deref());
    let sender =
        Sender::new(store.clone(), clock, api.clone(), team_channel).with_texts(texts.clone());
    let served =
        crate::chat::slack::serve(bot, transport, api, sender, listen, shutdown_signal()).await;
    store.close().await;
    served.map_err(|error| {
        Failure::runtime(texts.render(
            "cli/serve_failed",
            json!({ "detail": format!("{error:#}") }),
        ))
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
