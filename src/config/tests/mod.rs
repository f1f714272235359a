//! Tests of the whole pipeline, text and environment in, settings or problems out; each cuts
//! across the stages. Tests of one part sit beside it; the environment's overrides and secrets
//! have their own file.

use chrono::{NaiveDate, Weekday};

use super::keys::clock;
use super::settings::default_alert_points;
use super::*;
use crate::domain::calendar::CalendarRules;
use crate::domain::meeting::{KickoffRule, MonthlyRule, NthWeek};

mod declarations;
mod overrides;

fn env(vars: &[(&str, &str)]) -> MapEnv {
    vars.iter().copied().collect()
}

fn parse(text: &str) -> Result<Settings, Vec<ConfigProblem>> {
    parse_settings(text, &MapEnv::default())
}

fn problems_of(text: &str) -> Vec<ConfigProblem> {
    parse(text).expect_err("the text should have problems")
}

fn problem(key: &str, line: Option<usize>, kind: ProblemKind) -> ConfigProblem {
    ConfigProblem {
        key: key.to_owned(),
        line,
        kind,
    }
}

fn invalid(value: &str, expected: &'static str) -> ProblemKind {
    ProblemKind::InvalidValue {
        value: value.to_owned(),
        expected,
    }
}

fn unknown(suggestion: Option<&str>) -> ProblemKind {
    ProblemKind::UnknownKey {
        suggestion: suggestion.map(str::to_owned),
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

#[test]
fn no_file_and_no_environment_gives_the_documented_defaults() {
    let settings = parse("").unwrap();
    assert_eq!(settings, Settings::default());
    assert_eq!(settings.language.code(), "ja");
    assert_eq!(settings.quotas["consultation"].alert_at, vec![8, 10]);
    assert_eq!(settings.meetings.regular.time, clock(10, 0));
    assert_eq!(settings.database_url, DEFAULT_DATABASE_URL);
    assert_eq!(load_settings(None, &MapEnv::default()).unwrap(), settings);
}

#[test]
fn the_example_file_yields_exactly_the_defaults() {
    let example = include_str!("../../../banso.example.toml");
    assert_eq!(parse(example), Ok(Settings::default()));
}

#[test]
fn an_unknown_key_is_reported_with_its_line_and_a_suggestion() {
    let text = "language = \"ja\"\n\n[channels]\nteem = \"#x\"\n\n\
                [meetings.regualr]\nrule = \"2nd tue\"\n";
    assert_eq!(
        problems_of(text),
        vec![
            problem("channels.teem", Some(4), unknown(Some("channels.team"))),
            problem(
                "meetings.regualr",
                Some(6),
                unknown(Some("meetings.regular"))
            ),
        ]
    );
    let far = problems_of("colour = \"blue\"\n");
    assert_eq!(far, vec![problem("colour", Some(1), unknown(None))]);
}

#[test]
fn every_problem_in_a_file_is_reported_with_its_line() {
    let text = "\
language = \"ja\"
[channels]
tema = \"#banso-team\"
meetings = \"#banso\"

[meetings.regular]
rule = \"2nd tue\"
duration_minutes = 60
time = \"25:00\"
";
    assert_eq!(
        problems_of(text),
        vec![
            problem("channels.tema", Some(3), unknown(Some("channels.team"))),
            problem("meetings.regular.time", Some(9), invalid("25:00", "HH:MM")),
        ]
    );
}

#[test]
fn invalid_values_are_reported_with_key_line_and_expectation() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, usize, &str, &str)] = &[
        // file text, key, line, value, expected
        ("[reminders]\ndue = \"9時\"", "reminders.due", 2, "9時", "HH:MM"),
        ("[meetings.kickoff]\ndate = \"2024-13-01\"", "meetings.kickoff.date", 2, "2024-13-01", "YYYY-MM-DD"),
        ("[contract]\nstart = 2025-04-01\nend = 2024-03-31", "contract.end", 3, "2024-03-31", "start <= end"),
        ("[contract]\nstart = 2025-04-01", "contract.start", 2, "2025-04-01", "start and end together"),
        ("[quota.consultation]\nalert_at = [\n  8,\n  12,\n]", "quota.consultation.alert_at", 4, "12", "1..=limit"),
        ("[quota.consultation]\nlimit = 0", "quota.consultation.limit", 2, "0", "1 or more"),
        ("[quota.consultation]\nperiod = \"week\"", "quota.consultation.period", 2, "week", "month or contract"),
        ("[meetings.regular]\nrule = \"5th tue\"", "meetings.regular.rule", 2, "5th tue", "e.g. 2nd tue"),
        ("[meetings.regular]\nrule = \"2nd sat\"", "meetings.regular.rule", 2, "2nd sat", "e.g. 2nd tue"),
        ("[meetings.biweekly]\non_closed_day = \"later\"", "meetings.biweekly.on_closed_day", 2, "later",
            "next_open_day, previous_open_day or skip"),
        ("[meetings.regular]\nduration_minutes = -5", "meetings.regular.duration_minutes", 2, "-5", "1..=1440"),
        ("language = \"fr\"", "language", 1, "fr", "ja or en"),
        ("[channels]\nteam = \" \"", "channels.team", 2, " ", "channel name or id"),
        ("[quota.Site-Audit]\nlimit = 1", "quota.Site-Audit", 1, "Site-Audit", "kind name of a-z and _"),
    ];
    for (text, key, line, value, expected) in cases {
        let expected = ProblemKind::InvalidValue {
            value: value.to_string(),
            expected,
        };
        assert_eq!(
            problems_of(text),
            vec![problem(key, Some(*line), expected)],
            "{text}"
        );
    }
}

#[test]
fn wrong_types_are_reported_with_the_expected_type() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, usize, &str)] = &[
        ("language = 1", "language", 1, "string"),
        ("[quota.consultation]\nlimit = \"ten\"", "quota.consultation.limit", 2, "integer"),
        ("[quota.consultation]\nlimit = 10.0", "quota.consultation.limit", 2, "integer"),
        ("[calendar]\nyear_end_closure = \"yes\"", "calendar.year_end_closure", 2, "boolean"),
        ("[roles]\nconsultants = \"alice\"", "roles.consultants", 2, "array of strings"),
        ("[roles]\nconsultants = [\n\"alice\",\n3]", "roles.consultants", 4, "string"),
        ("channels = \"#x\"", "channels", 1, "table"),
        ("[calendar]\nextra_closed = [\"2024-08-14\"]", "calendar.extra_closed[0]", 2, "table"),
    ];
    for (text, key, line, expected) in cases {
        let kind = ProblemKind::WrongType { expected };
        assert_eq!(
            problems_of(text),
            vec![problem(key, Some(*line), kind)],
            "{text}"
        );
    }
}

#[test]
fn a_secret_in_the_file_points_to_its_environment_variable() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, usize, &str)] = &[
        ("[slack]\nbot_token = \"x\"", "slack.bot_token", 2, SLACK_BOT_TOKEN_VAR),
        ("[slack]\napp_token = \"x\"", "slack.app_token", 2, SLACK_APP_TOKEN_VAR),
        ("signing_secret = \"x\"", "signing_secret", 1, SLACK_SIGNING_SECRET_VAR),
        ("[channels]\nteam = \"xoxb-123-456\"", "channels.team", 2, SLACK_BOT_TOKEN_VAR),
        ("[roles]\nslack = \"xapp-1-2\"", "roles.slack", 2, SLACK_APP_TOKEN_VAR),
    ];
    for (text, key, line, env_var) in cases {
        let kind = ProblemKind::SecretInFile { env_var };
        let problems = problems_of(text);
        assert!(
            problems.contains(&problem(key, Some(*line), kind)),
            "{text}: {problems:?}"
        );
    }
    let unknown_table = problems_of("[slack]\nbot_token = \"x\"");
    assert_eq!(unknown_table[0], problem("slack", Some(1), unknown(None)));
    assert_eq!(unknown_table.len(), 2);
}

#[test]
fn a_syntax_error_is_reported_with_its_line() {
    let problems = problems_of("language = \"ja\"\n\n[channels]\nteam = #banso-team\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, Some(4));
    let ProblemKind::Syntax { detail } = &problems[0].kind else {
        panic!("expected a syntax problem: {problems:?}");
    };
    assert!(!detail.is_empty() && !detail.contains('\n'), "{detail}");
    let duplicate = problems_of("language = \"ja\"\nlanguage = \"en\"\n");
    assert_eq!(duplicate[0].line, Some(2));
}

#[test]
fn extra_closed_days_are_parsed_sorted_and_checked() {
    let text = r#"
[calendar]
year_end_closure = false
extra_closed = [
  { date = "2024-08-14", reason = "庁舎設備点検" },
  { date = 2024-05-07, reason = "システム停止" },
  { date = "2024-06-01" },
]
extra_open = ["2024-12-28", 2024-12-27]
"#;
    let calendar = parse(text).unwrap().calendar;
    let expected = CalendarRules {
        year_end_closure: false,
        extra_closed: vec![
            (date(2024, 5, 7), "システム停止".into()),
            (date(2024, 6, 1), String::new()),
            (date(2024, 8, 14), "庁舎設備点検".into()),
        ],
        extra_open: vec![date(2024, 12, 27), date(2024, 12, 28)],
    };
    assert_eq!(calendar, expected);
}

#[test]
fn extra_closed_entries_report_each_problem_at_its_line() {
    let text = r#"[calendar]
extra_closed = [
  { date = "2024-08-32", reason = "x" },
  { reason = "no date" },
  { date = "2024-08-14", reasn = "typo" },
]
extra_open = ["2024-08-14"]
"#;
    assert_eq!(
        problems_of(text),
        vec![
            problem(
                "calendar.extra_closed[0].date",
                Some(3),
                invalid("2024-08-32", "YYYY-MM-DD")
            ),
            problem(
                "calendar.extra_closed[1].date",
                Some(4),
                invalid("", "YYYY-MM-DD")
            ),
            problem(
                "calendar.extra_closed[2].reasn",
                Some(5),
                unknown(Some("calendar.extra_closed[2].reason"))
            ),
            problem(
                "calendar.extra_open",
                Some(7),
                invalid("2024-08-14", "not also in extra_closed")
            ),
        ]
    );
}

#[test]
fn other_quota_kinds_take_the_same_keys() {
    let text =
        "[quota.site_audit]\nlimit = 2\nperiod = \"contract\"\n\n[quota.training]\nlimit = 4\n";
    let quotas = parse(text).unwrap().quotas;
    // The contract's four kinds and training.
    assert_eq!(quotas.len(), 5);
    assert_eq!(
        quotas["procurement_review"],
        QuotaRule::default_for("procurement_review")
    );
    assert_eq!(quotas["procurement_review"].limit, 30);
    assert_eq!(quotas["consultation"], QuotaRule::default());
    let site_audit = QuotaRule {
        limit: 2,
        period: QuotaPeriod::Contract,
        alert_at: vec![2],
    };
    assert_eq!(quotas["site_audit"], site_audit);
    assert_eq!(quotas["training"].alert_at, vec![2, 4]);
    let misspelt = problems_of("[quota.trainig]\nlimit = 4\n");
    assert_eq!(
        misspelt,
        vec![problem(
            "quota.trainig",
            Some(1),
            unknown(Some("quota.training"))
        )]
    );
    let typo = problems_of("[quota.site_audit]\nlimt = 4\n");
    assert_eq!(
        typo,
        vec![problem(
            "quota.site_audit.limt",
            Some(2),
            unknown(Some("quota.site_audit.limit"))
        )]
    );
}

#[test]
fn alert_points_are_sorted_and_deduplicated() {
    let quota = &parse("[quota.consultation]\nlimit = 6\nalert_at = [6, 3, 6, 1]\n")
        .unwrap()
        .quotas["consultation"];
    assert_eq!(quota.alert_at, vec![1, 3, 6]);
    assert_eq!(default_alert_points(1), vec![1]);
    assert_eq!(default_alert_points(2), vec![2]);
    assert_eq!(default_alert_points(3), vec![1, 3]);
}

#[test]
fn dates_and_times_may_be_toml_values_or_strings() {
    let text = "[contract]\nstart = 2024-04-01\nend = \"2025-03-31\"\n\
                [reminders]\ndue = 08:30\nescalation = \"16:00\"\n";
    let settings = parse(text).unwrap();
    assert_eq!(
        settings.contract,
        Some(ContractPeriod {
            start: date(2024, 4, 1),
            end: date(2025, 3, 31)
        })
    );
    assert_eq!(settings.reminders.due, clock(8, 30));
    assert_eq!(settings.reminders.escalation, clock(16, 0));
}

#[test]
fn a_kickoff_is_planned_only_with_a_date_and_takes_the_regular_meetings_length() {
    let settings = parse("[meetings.kickoff]\ntime = \"11:00\"\n").unwrap();
    assert_eq!(
        settings.meetings.kickoff, None,
        "no contract, no date: no kickoff"
    );
    // With a contract period, a kickoff without a date is planned (the
    // planner puts it on the fifth open day after the start); "none" says
    // there is none.
    let contract = "[contract]\nstart = 2024-04-01\nend = 2025-03-31\n";
    let settings = parse(&format!("{contract}[meetings.kickoff]\ntime = \"11:00\"\n")).unwrap();
    let kickoff = settings.meetings.kickoff.expect("planned by default");
    assert_eq!((kickoff.date, kickoff.time), (None, clock(11, 0)));
    let settings = parse(&format!("{contract}[meetings.kickoff]\ndate = \"none\"\n")).unwrap();
    assert_eq!(settings.meetings.kickoff, None);
    let text = "[meetings.regular]\nduration_minutes = 90\n\
                [meetings.kickoff]\ndate = 2024-04-10\ntime = \"11:00\"\n";
    let settings = parse(text).unwrap();
    let kickoff = KickoffRule {
        date: Some(date(2024, 4, 10)),
        time: clock(11, 0),
        duration_minutes: 90,
        deliverables: vec!["実施計画書".to_owned()],
    };
    assert_eq!(settings.meetings.kickoff, Some(kickoff.clone()));
    let rules = settings.meetings.to_rules(&settings.reminders);
    assert_eq!(rules.kickoff, Some(kickoff));
    assert_eq!(rules.regular, settings.meetings.regular);
    assert_eq!(rules.reminders.biweekly_previous_day, clock(17, 0));
}

#[test]
fn the_default_rules_are_the_documented_ones() {
    let settings = Settings::default();
    let regular = &settings.meetings.regular;
    let second_tuesday = MonthlyRule {
        nth: NthWeek::Second,
        weekday: Weekday::Tue,
    };
    assert_eq!(regular.rule, second_tuesday);
    assert_eq!(regular.deadline_open_days_before, 2);
    assert_eq!(regular.deliverables.len(), 4);
    assert_eq!(settings.meetings.biweekly.anchor, None);
    assert_eq!(settings.meetings.biweekly.time, clock(14, 0));
    assert_eq!(settings.calendar, CalendarRules::default());
    assert_eq!(settings.reminders.escalation, clock(15, 0));
    // The console's documented names (README) hold the roles by default.
    assert_eq!(settings.roles.project_manager, ["pm"]);
    assert_eq!(settings.roles.project_leader, ["leader"]);
    assert_eq!(settings.roles.coordinators, ["coord"]);
    assert_eq!(settings.roles.consultants, ["consultant"]);
    assert_eq!(Channels::default().team, "#banso-team");
}

#[test]
fn load_settings_reads_a_file_and_reports_an_unreadable_one() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("banso.toml");
    std::fs::write(&path, "\u{feff}language = \"en\"\n").unwrap();
    let settings = load_settings(Some(&path), &MapEnv::default()).unwrap();
    assert_eq!(settings.language, Language::En);
    let missing = folder.path().join("missing.toml");
    let problems = load_settings(Some(&missing), &MapEnv::default()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].key, missing.display().to_string());
    assert!(matches!(
        problems[0].kind,
        ProblemKind::FileUnreadable { .. }
    ));
}
