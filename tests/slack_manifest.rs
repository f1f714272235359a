//! The Slack app manifests against what banso tells people to type: every
//! slash command a template mentions (`/help`, the forms, and every other
//! template) is registered in both manifests, each with `should_escape:
//! true`; the HTTP manifest carries the three request URLs and Socket Mode
//! off, the Socket Mode one neither URL nor HTTP.
//!
//! The manifests are read line by line in the shape this repository
//! writes them (a YAML library for two small files of our own is not worth
//! a dependency); a manifest in another shape fails the test rather than
//! passing it.

use std::collections::BTreeSet;
use std::path::Path;

const SOCKET_MODE: &str = "slack-app-manifest.yml";
const HTTP: &str = "slack-app-manifest.http.yml";

/// A slash command as a manifest registers it.
#[derive(Debug, Default)]
struct Registered {
    name: String,
    url: Option<String>,
    should_escape: Option<String>,
}

/// The manifest's slash commands, in order.
fn registered_commands(manifest: &str) -> Vec<Registered> {
    let mut commands: Vec<Registered> = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed == "slash_commands:" {
            inside = true;
            continue;
        }
        if !inside || trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // The list ends where a key of the enclosing map begins.
        if !line.starts_with("    ") {
            break;
        }
        if let Some(name) = trimmed.strip_prefix("- command:") {
            commands.push(Registered {
                name: name.trim().to_owned(),
                ..Registered::default()
            });
            continue;
        }
        let current = commands
            .last_mut()
            .expect("a key before the first `- command:`");
        let (key, value) = trimmed.split_once(':').expect("a `key: value` line");
        let value = value.trim().to_owned();
        match key {
            "url" => current.url = Some(value),
            "should_escape" => current.should_escape = Some(value),
            _ => {}
        }
    }
    commands
}

/// The value of the first `key:` line under the `section:` line, if any.
fn setting(manifest: &str, section: &str, key: &str) -> Option<String> {
    let mut lines = manifest.lines();
    lines.find(|line| line.trim() == format!("{section}:"))?;
    lines
        .take_while(|line| line.starts_with("    ") || line.trim().is_empty())
        .find_map(|line| line.trim().strip_prefix(&format!("{key}:")))
        .map(|value| value.trim().to_owned())
}

/// `key: value` at the top of `settings:`.
fn top_setting(manifest: &str, key: &str) -> Option<String> {
    manifest
        .lines()
        .find_map(|line| line.strip_prefix(&format!("  {key}:")))
        .map(|value| value.trim().to_owned())
}

/// The slash commands a text tells people to type: `/word` at the start
/// or after a space or punctuation, not inside a path or a URL
/// (`policy/rules`, `https://…/x`).
fn mentioned_commands(text: &str) -> BTreeSet<String> {
    let characters: Vec<char> = text.chars().collect();
    let mut found = BTreeSet::new();
    for (at, &character) in characters.iter().enumerate() {
        if character != '/' {
            continue;
        }
        let before = at.checked_sub(1).map(|index| characters[index]);
        if before
            .is_some_and(|before| before.is_ascii_alphanumeric() || "/:._-<{}".contains(before))
        {
            continue;
        }
        let name: String = characters[at + 1..]
            .iter()
            .take_while(|next| next.is_ascii_lowercase() || **next == '-')
            .collect();
        if name.starts_with(|first: char| first.is_ascii_lowercase()) {
            found.insert(format!("/{name}"));
        }
    }
    found
}

/// Every template under `prompts/`, with its path.
fn templates() -> Vec<(String, String)> {
    fn walk(folder: &Path, into: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(folder).expect("a prompts folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|extension| extension == "j2") {
                let text = std::fs::read_to_string(&path).expect("a template");
                into.push((path.display().to_string(), text));
            }
        }
    }
    let mut all = Vec::new();
    walk(Path::new("prompts"), &mut all);
    all
}

#[test]
fn the_mention_reader_finds_commands_and_nothing_else() {
    let found = mentioned_commands(
        "・/consult 内容 … /help（やめる場合は /cancel）policy/rules https://example.jp/slack/events \
         `/kadai add` 1/5 {{ x }}/y",
    );
    let expected: BTreeSet<String> = ["/consult", "/help", "/cancel", "/kadai"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn every_command_the_texts_mention_is_registered_in_both_manifests() {
    let mut mentioned: BTreeSet<(String, String)> = BTreeSet::new();
    for (path, text) in templates() {
        for command in mentioned_commands(&text) {
            mentioned.insert((command, path.clone()));
        }
    }
    let names: BTreeSet<&str> = mentioned.iter().map(|(name, _)| name.as_str()).collect();
    // The help and the forms are read: a reader that found nothing there
    // would pass any manifest.
    for expected in ["/consult", "/calendar", "/cancel", "/help", "/kadai"] {
        assert!(
            names.contains(expected),
            "{expected} not found in {names:?}"
        );
    }
    for manifest_path in [SOCKET_MODE, HTTP] {
        let manifest = std::fs::read_to_string(manifest_path).expect("the manifest");
        let registered: BTreeSet<String> = registered_commands(&manifest)
            .into_iter()
            .map(|command| command.name)
            .collect();
        let missing: Vec<String> = mentioned
            .iter()
            .filter(|(name, _)| !registered.contains(name))
            .map(|(name, path)| format!("{name} (in {path})"))
            .collect();
        assert!(
            missing.is_empty(),
            "{manifest_path} does not register {missing:?}"
        );
    }
}

#[test]
fn every_command_escapes_and_both_manifests_register_the_same_ones() {
    let socket = std::fs::read_to_string(SOCKET_MODE).expect("the manifest");
    let http = std::fs::read_to_string(HTTP).expect("the HTTP manifest");
    let names = |manifest: &str| -> Vec<String> {
        registered_commands(manifest)
            .into_iter()
            .map(|command| command.name)
            .collect()
    };
    assert!(names(&socket).len() >= 10, "{:?}", names(&socket));
    assert_eq!(names(&socket), names(&http));
    for (path, manifest) in [(SOCKET_MODE, &socket), (HTTP, &http)] {
        for command in registered_commands(manifest) {
            assert_eq!(
                command.should_escape.as_deref(),
                Some("true"),
                "{path}: {} must escape (mentions as <@U…>)",
                command.name
            );
        }
    }
}

#[test]
fn the_http_manifest_points_slack_at_the_three_endpoints() {
    let http = std::fs::read_to_string(HTTP).expect("the HTTP manifest");
    for command in registered_commands(&http) {
        assert_eq!(
            command.url.as_deref(),
            Some("https://<your-host>/slack/commands"),
            "{}",
            command.name
        );
    }
    assert_eq!(
        setting(&http, "event_subscriptions", "request_url").as_deref(),
        Some("https://<your-host>/slack/events")
    );
    assert_eq!(
        setting(&http, "interactivity", "request_url").as_deref(),
        Some("https://<your-host>/slack/interactions")
    );
    assert_eq!(
        top_setting(&http, "socket_mode_enabled").as_deref(),
        Some("false")
    );

    let socket = std::fs::read_to_string(SOCKET_MODE).expect("the manifest");
    assert!(
        registered_commands(&socket)
            .iter()
            .all(|command| command.url.is_none())
    );
    assert_eq!(setting(&socket, "event_subscriptions", "request_url"), None);
    assert_eq!(setting(&socket, "interactivity", "request_url"), None);
    assert_eq!(
        top_setting(&socket, "socket_mode_enabled").as_deref(),
        Some("true")
    );
}

/// The bot scopes a manifest asks for (the `- …` lines under `bot:`).
fn bot_scopes(manifest: &str) -> BTreeSet<String> {
    manifest
        .lines()
        .skip_while(|line| line.trim() != "bot:")
        .skip(1)
        .take_while(|line| line.starts_with("      ") || line.trim().starts_with('#'))
        .filter_map(|line| line.trim().strip_prefix("- "))
        .map(str::to_owned)
        .collect()
}

/// The Web API methods banso calls need these scopes: posting, DMs,
/// profiles, files, and, to close the crash window (issue 12), reading
/// the history of the channels and DMs it posts to.
#[test]
fn both_manifests_grant_the_scopes_of_every_method_banso_calls() {
    for path in [SOCKET_MODE, HTTP] {
        let manifest = std::fs::read_to_string(path).expect("the manifest");
        let scopes = bot_scopes(&manifest);
        for needed in [
            "commands",
            "chat:write",
            "im:write",
            "users:read",
            "files:write",
            "im:history",
            "channels:history",
            "groups:history",
        ] {
            assert!(scopes.contains(needed), "{path} lacks {needed}: {scopes:?}");
        }
    }
}
