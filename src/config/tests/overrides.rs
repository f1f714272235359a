//! Tests of the environment: `BANSO_*` overrides taking the place of file keys, problems
//! reported under the variable's name, and Slack secrets that cannot be printed.

use super::*;

/// Variable, value, and the edit that turns the defaults into the expected settings.
type OverrideCase = (&'static str, &'static str, fn(&mut Settings));

#[test]
fn scalar_overrides_are_applied() {
    #[rustfmt::skip]
    let cases: &[OverrideCase] = &[
        ("BANSO_LANGUAGE", "en", |s| s.language = Language::En),
        ("BANSO_LANGUAGE", "\"en\"", |s| s.language = Language::En),
        ("BANSO_PROMPTS_DIR", "/srv/prompts", |s| s.prompts_dir = Some("/srv/prompts".into())),
        ("BANSO_CHANNELS__TEAM", "C0123", |s| s.channels.team = "C0123".into()),
        // A text key takes the raw text even when it would parse as another TOML type.
        ("BANSO_CHANNELS__MEETINGS", "123", |s| s.channels.meetings = "123".into()),
        ("BANSO_CALENDAR__YEAR_END_CLOSURE", "false", |s| s.calendar.year_end_closure = false),
        ("BANSO_MEETINGS__REGULAR__RULE", "3rd wed", |s| {
            s.meetings.regular.rule = MonthlyRule { nth: NthWeek::Third, weekday: Weekday::Wed }
        }),
        ("BANSO_MEETINGS__BIWEEKLY__TIME", "15:30", |s| s.meetings.biweekly.time = clock(15, 30)),
        ("BANSO_MEETINGS__KICKOFF__DATE", "2024-04-10", |s| s.meetings.kickoff = Some(KickoffRule {
            date: Some(date(2024, 4, 10)), time: clock(10, 0), duration_minutes: 60, deliverables: vec!["実施計画書".into()],
        })),
        ("BANSO_REMINDERS__BIWEEKLY_BEFORE_MINUTES", "30", |s| s.reminders.biweekly_before_minutes = 30),
        ("BANSO_DATABASE_URL", "postgres://db/banso", |s| s.database_url = "postgres://db/banso".into()),
        ("SLACK_API_URL", "http://127.0.0.1:9/api", |s| s.slack.api_url = Some("http://127.0.0.1:9/api".into())),
    ];
    assert_overrides(cases);
}

#[test]
fn list_and_quota_overrides_are_applied() {
    #[rustfmt::skip]
    let cases: &[OverrideCase] = &[
        ("BANSO_ROLES__CONSULTANTS", "[\"U01\", \"U02\"]", |s| s.roles.consultants = vec!["U01".into(), "U02".into()]),
        ("BANSO_QUOTA__CONSULTATION__ALERT_AT", "[5, 3, 5]", |s| consultation(s).alert_at = vec![3, 5]),
        // Left out, the alert points follow the limit: two before it and at it.
        ("BANSO_QUOTA__CONSULTATION__LIMIT", "12", |s| {
            *consultation(s) = QuotaRule { limit: 12, alert_at: vec![10, 12], ..QuotaRule::default() }
        }),
        ("BANSO_QUOTA__SITE_AUDIT__LIMIT", "2", |s| {
            let rule =
                QuotaRule { limit: 2, alert_at: vec![2], ..QuotaRule::default_for("site_audit") };
            s.quotas.insert("site_audit".into(), rule);
        }),
        ("BANSO_CALENDAR__EXTRA_CLOSED", "[{ date = 2024-08-14, reason = \"点検\" }]", |s| {
            s.calendar.extra_closed = vec![(date(2024, 8, 14), "点検".into())]
        }),
    ];
    assert_overrides(cases);
}

fn consultation(settings: &mut Settings) -> &mut QuotaRule {
    settings.quotas.get_mut("consultation").unwrap()
}

/// Each case sets one variable; the result must be the defaults changed by the case's edit.
fn assert_overrides(cases: &[OverrideCase]) {
    for (var, value, edit) in cases {
        let mut expected = Settings::default();
        edit(&mut expected);
        let settings = parse_settings("", &env(&[(var, value)]));
        assert_eq!(settings, Ok(expected), "{var}={value}");
    }
}

#[test]
fn contract_overrides_need_both_dates() {
    let vars = env(&[
        ("BANSO_CONTRACT__START", "2024-04-01"),
        ("BANSO_CONTRACT__END", "2025-03-31"),
    ]);
    let settings = parse_settings("", &vars).unwrap();
    let period = ContractPeriod {
        start: date(2024, 4, 1),
        end: date(2025, 3, 31),
    };
    assert_eq!(settings.contract, Some(period));
}

#[test]
fn an_override_wins_over_the_file() {
    let text = "[channels]\nteam = \"#from-file\"\n";
    let settings = parse_settings(text, &env(&[("BANSO_CHANNELS__TEAM", "#from-env")])).unwrap();
    assert_eq!(settings.channels.team, "#from-env");
}

#[test]
fn a_bad_override_is_reported_under_its_variable_name() {
    let cases = [
        ("BANSO_LANGUAGE", "fr", invalid("fr", "ja or en")),
        (
            "BANSO_QUOTA__CONSULTATION__LIMIT",
            "many",
            ProblemKind::WrongType {
                expected: "integer",
            },
        ),
        (
            "BANSO_ROLES__CONSULTANTS",
            "alice",
            ProblemKind::WrongType {
                expected: "array of strings",
            },
        ),
    ];
    for (var, value, kind) in cases {
        let problems = parse_settings("", &env(&[(var, value)])).unwrap_err();
        assert_eq!(problems, vec![problem(var, None, kind)], "{var}={value}");
    }
}

#[test]
fn an_unknown_override_variable_is_reported_with_a_suggestion() {
    let vars = env(&[
        ("BANSO_CHANELS__TEAM", "C0123"),
        ("BANSO_NOTHING_LIKE_ANY_KEY", "1"),
        ("BANSO_SLACK__BOT_TOKEN", "xoxb-1"),
        ("BANSO_CONFIG", "/etc/banso.toml"),
        ("BANSO_LOG", "debug"),
        ("BANSO_TEST_POSTGRES_URL", "postgres://x"),
    ]);
    let problems = parse_settings("", &vars).unwrap_err();
    assert_eq!(
        problems,
        vec![
            problem(
                "BANSO_CHANELS__TEAM",
                None,
                unknown(Some("BANSO_CHANNELS__TEAM"))
            ),
            problem("BANSO_NOTHING_LIKE_ANY_KEY", None, unknown(None)),
            problem(
                "BANSO_SLACK__BOT_TOKEN",
                None,
                ProblemKind::SecretInFile {
                    env_var: SLACK_BOT_TOKEN_VAR
                }
            ),
        ]
    );
}

#[test]
fn a_misspelt_quota_kind_override_is_not_a_new_quota() {
    let vars = env(&[("BANSO_QUOTA__CONSULTATON__LIMIT", "3")]);
    let problems = parse_settings("", &vars).unwrap_err();
    let suggestion = unknown(Some("BANSO_QUOTA__CONSULTATION__LIMIT"));
    assert_eq!(
        problems,
        vec![problem("BANSO_QUOTA__CONSULTATON__LIMIT", None, suggestion)]
    );
}

#[test]
fn secrets_come_from_the_environment_and_are_redacted() {
    let vars = env(&[
        ("SLACK_BOT_TOKEN", "xoxb-very-secret"),
        ("SLACK_APP_TOKEN", "xapp-very-secret"),
        ("SLACK_SIGNING_SECRET", "signing-very-secret"),
    ]);
    let settings = parse_settings("", &vars).unwrap();
    let bot_token = settings.slack.bot_token.as_ref().unwrap();
    assert_eq!(bot_token.expose(), "xoxb-very-secret");
    assert_eq!(format!("{bot_token:?}"), "Secret([redacted])");
    let printed = format!("{settings:?} {settings:#?}");
    assert!(!printed.contains("very-secret"), "{printed}");
    assert_eq!(printed.matches("Secret([redacted])").count(), 6);
}

#[test]
fn empty_environment_values_count_as_unset() {
    let vars = env(&[("SLACK_BOT_TOKEN", ""), ("BANSO_DATABASE_URL", "")]);
    assert_eq!(parse_settings("", &vars), Ok(Settings::default()));
}
