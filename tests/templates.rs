//! Every template in `prompts/` renders, in both languages, with the context
//! the code gives it. A template added without a fixture here fails.

use banso::bot::texts::{Texts, embedded_templates};
use banso::config::Language;
use serde_json::{Value, json};

fn fixture(name: &str) -> Option<Value> {
    let closed = json!([
        { "date": "2025-01-01", "reason": "元日", "reason_code": "national_holiday" },
        { "date": "2025-01-02", "reason": "年末年始", "reason_code": "year_end_closure" },
        { "date": "2025-01-04", "reason": "土曜日", "reason_code": "saturday" },
    ]);
    let problem = json!({ "key": "quota.consultation.limt", "line": 12, "kind": "unknown_key", "suggestion": "quota.consultation.limit" });
    Some(match name {
        "chat/help" => json!({ "team": true, "may_change_meetings": true, "may_export": true }),
        "chat/unreadable_request"
        | "console/bye"
        | "console/edited"
        | "console/help"
        | "console/reminders_failed"
        | "cli/zero_shift"
        | "cli/out_of_range"
        | "cli/bad_usage" => json!({}),
        "chat/unknown_command" => json!({ "command": "frobnicate" }),
        "chat/bad_month" => json!({ "value": "2025-13" }),
        "chat/unexpected_argument" => json!({ "command": "calendar", "argument": "extra" }),
        "chat/unknown_button" => json!({ "action": "assign" }),
        "chat/undeliverable" => {
            json!({ "to": "#banso", "reason": "refused", "code": "not_in_channel" })
        }
        "chat/calendar_month" => json!({
            "month": "2025-01", "month_ja": "令和7年1月", "open_count": 19,
            "open_days": ["2025-01-06", "2025-01-07"], "closed_days": closed,
        }),
        "console/as" | "console/welcome" => json!({ "user": "leader" }),
        "console/now" => {
            json!({ "now": "2024-06-07T09:01:00+09:00", "now_ja": "令和6年6月7日", "time": "09:01" })
        }
        "console/bad_meta" => {
            json!({ "problem": "bad_argument", "input": ":advance", "argument": "soon" })
        }
        "console/no_button" => json!({ "n": 3, "user": "coord" }),
        "cli/reversed_range" => json!({ "from": "2025-01-01", "to": "2024-01-01" }),
        "cli/holidays" => {
            json!({ "holidays": [{ "date": "2024-04-29", "name": "昭和の日" }], "from": "2024-04-01", "to": "2025-03-31" })
        }
        "cli/open_days" => {
            json!({ "days": ["2024-04-01"], "from": "2024-04-01", "to": "2024-04-01" })
        }
        "cli/is_open" => {
            json!({ "date": "2025-01-02", "open": false, "reason": "年末年始", "reason_code": "year_end_closure" })
        }
        "cli/shift" => {
            json!({ "from": "2024-06-11", "open_days": -2, "count": 2, "date": "2024-06-07" })
        }
        "cli/config_problem" => json!({ "file": "banso.toml", "problem": problem }),
        "cli/config_ok" => json!({ "file": "banso.toml" }),
        "cli/database_unavailable" => json!({ "detail": "connection refused" }),
        "cli/migrated" => json!({ "applied_now": 1, "applied_before": 0 }),
        "cli/script_unreadable" => {
            json!({ "file": "missing.txt", "detail": "No such file or directory" })
        }
        "cli/bad_value" => {
            json!({ "argument": "--from <DATE>", "value": "2025-13-01", "expected": "date" })
        }
        "cli/unknown_argument" => json!({ "argument": "--frm", "suggestion": "--from" }),
        "cli/unknown_subcommand" => json!({ "name": "calender", "suggestion": "calendar" }),
        "cli/missing_argument" => json!({ "argument": "--to <DATE>" }),
        "macros/labels"
        | "macros/kadai"
        | "macros/work"
        | "work/not_permitted"
        | "chat/internal_error"
        | "consult/missing_reason"
        | "consult/ask_department"
        | "consult/bad_department"
        | "form/empty"
        | "form/cancelled"
        | "form/nothing_to_cancel" => json!({}),
        "consult/button_label" => json!({ "action": "carry_over" }),
        "consult/category_label" => json!({ "category": "cloud" }),
        "consult/confirmation" | "consult/team_notice" => {
            json!({ "c": consultation(), "limit": 10, "held": false, "month_ja": "令和6年6月" })
        }
        "consult/threshold_alert" => {
            json!({ "kind": "consultation", "bucket": "2024-06", "month_ja": "令和6年6月", "threshold": 8, "limit": 10 })
        }
        "consult/held_leader" | "consult/held_decision" => {
            json!({ "c": consultation(), "limit": 10, "month_ja": "令和6年6月", "next_month_ja": "令和6年7月" })
        }
        "consult/status_changed" | "consult/team_status" => {
            json!({ "c": consultation(), "actor": "consultant", "before": "held", "words": "パスワードを変更してください。\n次に…" })
        }
        "consult/unknown_subcommand" => json!({ "word": "assing" }),
        "consult/did_you_mean" => json!({
            "typed": "lsit", "cut": false, "suggestion": "/consult list",
            "can_record": true, "minutes": 5,
        }),
        "consult/record_anyway" => json!({}),
        "consult/carry_over_past_contract" => json!({ "c": consultation(), "end": "2025-03-31" }),
        "consult/carry_over_full" | "consult/carry_over_full_leader" | "consult/held_over_team" => {
            json!({ "c": consultation(), "month_ja": "令和6年7月", "next_month_ja": "令和6年8月",
                    "limit": 10, "actor": "coord", "can_carry_on": true })
        }
        "form/closed_date" => {
            json!({ "value": "2024-06-15", "reason": "土曜日", "suggestion": "2024-06-17" })
        }
        "consult/requester_button_label" => json!({ "action": "reopen" }),
        "consult/followup_prompt" => json!({ "short_id": "2406-001" }),
        "consult/answer_prompt" => json!({ "short_id": "2406-001", "title": "メール誤送信" }),
        "consult/answer_refused" => {
            json!({ "short_id": "2406-001", "problem": "too_long", "limit": 3000 })
        }
        "consult/answer_not_in_thread" => json!({}),
        "consult/record_anyway_expired" => json!({ "minutes": 5 }),
        "consult/card" => json!({ "c": consultation() }),
        "consult/conflict" => json!({ "c": consultation() }),
        "consult/refused_permission" | "consult/refused_transition" => {
            json!({ "c": consultation(), "action": "approve" })
        }
        "consult/not_found" | "consult/decline_reason_prompt" => json!({ "short_id": "2406-003" }),
        "consult/show" => json!({ "c": consultation(), "history": [
            { "at": "2024-06-07 10:00", "actor": "tanaka", "kind": "created", "from": null, "to": "received", "detail": null },
            { "at": "2024-06-07 10:05", "actor": "coord", "kind": "read", "from": null, "to": null, "detail": null },
            { "at": "2024-06-07 10:30", "actor": "consultant", "kind": "team_note", "from": null, "to": null, "detail": "先に手順書を確認します" },
            { "at": "2024-06-07 11:00", "actor": "consultant", "kind": "answer", "from": "in_progress", "to": "answered", "detail": "パスワードを変更してください。" },
        ] }),
        "consult/list" => json!({ "items": [consultation()], "total": 79, "scope": "open" }),
        "consult/search" => {
            json!({ "query": "監査 手順", "items": [consultation()], "more": true, "team": true })
        }
        "consult/search_refused" => json!({ "reason": "too_short", "length": 0, "shortest": 2,
            "longest": 100, "typed": "監" }),
        "consult/similar" => json!({ "c": consultation(), "items": [consultation()] }),
        "consult/target_reminder" => json!({ "c": consultation(), "target": "first_response",
            "due": "2024-06-11", "today": "2024-06-10" }),
        "consult/target_missed" => json!({ "c": consultation(), "target": "answer",
            "due": "2024-06-17", "replied": null }),
        "consult/too_long" => json!({ "length": 3001, "limit": 3000 }),
        "consult/bad_short_id" | "form/bad_date" => json!({ "value": "x" }),
        "consult/department_saved" => json!({ "department": "総務課", "filled": 2 }),
        "consult/department_current" | "consult/department_from_slack" => {
            json!({ "department": "総務課" })
        }
        "form/ask_title"
        | "form/ask_department"
        | "form/ask_category"
        | "form/ask_details"
        | "form/ask_desired_date" => {
            json!({ "problem": null, "limit": 100 })
        }
        "form/past_date" => json!({ "value": "2024-06-01", "today": "2024-06-07" }),
        "quota/report" => {
            let summary = json!({ "counted": 10, "limit": 10, "remaining": 0, "held": 2, "exceptions": 0, "carried_in": 1, "carried_out": 1 });
            let response = json!({ "first_median": "0.5", "first_worst": 2, "first_count": 4,
                "answer_median": "3", "answer_worst": 6, "answer_count": 3,
                "past_targets": [{ "short_id": "2406-003", "title": "端末の紛失", "target": "answer",
                    "due": "2024-06-17", "done": null }] });
            json!({ "month": "2024-06", "month_ja": "令和6年6月", "summary": summary, "history": [{ "month": "2024-06", "month_ja": "令和6年6月", "summary": summary }], "work": work_kinds(), "response": response })
        }
        "meeting/notice" => json!({ "m": meeting(), "kind": "previous_day", "late": true }),
        "meeting/deliverables_heads_up" | "meeting/deliverables_due" => {
            json!({ "m": meeting(), "items": items(), "late": false, "overdue": [kadai_item()] })
        }
        "meeting/deliverables_status" => {
            json!({ "m": meeting(), "items": items(), "late": false })
        }
        "meeting/deliverables_escalation" => {
            json!({ "m": meeting(), "missing": items(), "late": false })
        }
        "meeting/deliverable_button" => json!({ "item": "課題管理表", "submitted": true }),
        "meeting/no_deliverables" | "meeting/not_permitted" | "meeting/usage" => json!({}),
        "meeting/deliverables_complete" => json!({ "m": meeting() }),
        "meeting/deliverable_marked" => {
            json!({ "m": meeting(), "item": "会議次第", "submitted": true, "changed": true, "items": items() })
        }
        "meeting/list" => json!({ "meetings": [meeting()], "month": "2024-06" }),
        "meeting/not_found" => json!({ "date": "2024-06-12" }),
        "meeting/unchanged" => json!({ "m": meeting() }),
        "meeting/already_added" => json!({ "key": "work_meeting:2024-06-20T10:00" }),
        "meeting/closed_day" => {
            json!({ "date": "2024-06-15", "reason": "土曜日", "reason_code": "saturday", "suggestion": "2024-06-17" })
        }
        "meeting/outside_contract" => {
            json!({ "date": "2025-04-08", "start": "2024-04-01", "end": "2025-03-31" })
        }
        "meeting/changed" => {
            json!({ "before": meeting(), "after": meeting(), "change": "moved", "by": "leader",
                    "previous_day_at": "17:00", "minutes_before": 60 })
        }
        "chat/bad_date" | "chat/bad_time" => json!({ "value": "x" }),
        "cli/schedule_preview" => json!({ "from": "2024-04-01", "to": "2025-03-31", "entries": [
            { "kind": "deliverables_due", "at": "2024-06-07T09:00:00+09:00", "meeting": "2024-06-11T10:00:00+09:00" },
            { "kind": "regular_meeting", "at": "2024-06-11T10:00:00+09:00", "meeting": "2024-06-11T10:00:00+09:00" },
        ] }),
        "cli/ics_names" => json!({ "field": "deadline" }),
        "home/overview" => json!({
            "team": true, "mine": [mine_answered()], "open": [consultation()], "month_ja": "令和6年6月", "meetings": [meeting()],
            "mine_total": 21, "open_total": 1,
            "summary": { "counted": 3, "limit": 10, "remaining": 7, "held": 0, "exceptions": 0, "carried_in": 0, "carried_out": 0 },
        }),
        "modal/labels" => json!({ "field": "desired_date" }),
        "modal/field_error" => {
            json!({ "problem": "closed_day", "today": "2024-06-10", "reason": "土曜日", "suggestion": "2024-06-17" })
        }
        "consult/from_message" => {
            json!({ "text": "このメールは開いて大丈夫？", "link": "https://slack.com/archives/C1/p1718000000000100" })
        }
        "cli/serve_missing" => json!({ "var": "SLACK_BOT_TOKEN" }),
        "cli/plain_http_api" => json!({ "url": "http://example.org/api" }),
        "cli/bad_api_url" => json!({ "url": "slack.com/api" }),
        "cli/serve_failed" => json!({ "detail": "address in use" }),
        "cli/outside_contract" => json!({ "start": "2024-04-01", "end": "2025-03-31" }),
        "export/consultations" | "export/kadai" | "export/work" | "cli/purge_nothing" => json!({}),
        "cli/export_all_done" => json!({ "path": "返還", "files": 26 }),
        "export/not_permitted"
        | "export/coming"
        | "export/no_files_here"
        | "export/usage"
        | "meeting/drafts_button" => {
            json!({})
        }
        "export/outside_contract" => {
            json!({ "month": "2026-04", "start": "2024-04-01", "end": "2025-03-31" })
        }
        "export/delivered" => {
            json!({ "file": "課題管理表.xlsx", "rows": 12, "kind": "kadai" })
        }
        "export/not_delivered" => json!({ "file": "課題管理表.xlsx" }),
        "export/saved" => {
            json!({ "path": "課題管理表.xlsx", "comment": "課題管理表.xlsx（12件）です。" })
        }
        "export/not_saved" => {
            json!({ "path": "課題管理表.xlsx", "exists": false, "detail": "Permission denied (os error 13)" })
        }
        "cli/purge_needs_export" => json!({ "changed": "2025-03-31 17:00", "exported": null }),
        "cli/database_read_only" => json!({ "folder": "/var/lib/banso" }),
        "cli/purge_dry_run" => {
            json!({ "tables": [{ "table": "consultations", "rows": 120 }], "exported": "2025-03-31 18:00" })
        }
        "cli/purge_done" => json!({ "tables": [{ "table": "consultations", "rows": 120 }] }),
        "kadai/usage" | "kadai/not_permitted" => json!({}),
        "work/usage" => json!({ "kinds": ["audit_item", "procurement_review"] }),
        "work/unknown_kind" => json!({ "kind": "audits", "kinds": ["audit_item", "site_audit"] }),
        "work/bad_attribute" => {
            json!({ "kind": "procurement_review", "problem": "invalid", "key": "区分", "key_ja": "区分", "value": "d" })
        }
        "work/added" => json!({ "item": work_item(), "limit": 30, "period": contract_period() }),
        "work/list" => json!({ "kind": "procurement_review", "items": [work_item()] }),
        "work/summary" => json!({ "kinds": work_kinds() }),
        "work/threshold_alert" => {
            json!({ "kind": "site_audit", "threshold": 2, "limit": 4, "period": contract_period() })
        }
        "kadai/added" | "kadai/updated" | "kadai/done" => json!({ "item": kadai_item() }),
        "kadai/list" => json!({ "items": [kadai_item()], "all": false }),
        "kadai/not_found" => json!({ "id": "K-009" }),
        "kadai/bad_priority" => json!({ "value": "urgent" }),
        "kadai/title_too_long" => json!({ "length": 120, "limit": 100 }),
        "kadai/closed_day" => {
            json!({ "date": "2024-06-15", "reason": "土曜日", "reason_code": "saturday", "suggestion": "2024-06-17" })
        }
        "export/label" => json!({ "what": "priority", "code": "high" }),
        "export/file_name" => {
            json!({ "kind": "progress", "month": "2024-06", "extension": "docx" })
        }
        "export/progress" => json!({
            "month": "2024-06", "month_ja": "令和6年6月", "first": "2024-06-01", "last": "2024-06-30",
            "made": "2024-07-01", "next_month": "2024-07", "next_month_ja": "令和6年7月",
            "s": { "received": 12, "counted": 10, "limit": 10, "remaining": 0, "held": 2, "exceptions": 1, "carried_in": 0, "carried_out": 1 },
            "open": 3, "overdue": 1,
            "response": { "first_median": "1", "first_worst": 2, "first_count": 9,
                "answer_median": "3.5", "answer_worst": 7, "answer_count": 8,
                "past_targets": [{ "short_id": "2406-003", "title": "端末の紛失", "target": "answer",
                    "due": "2024-06-14", "done": null }] },
        }),
        "cli/export_done" => {
            json!({ "path": "相談対応記録_2024-06.xlsx", "rows": 12, "kind": "consultations" })
        }
        "cli/export_exists" => json!({ "path": "相談対応記録_2024-06.xlsx" }),
        "cli/export_unwritable" => json!({ "path": "/x/a.xlsx", "detail": "No such file" }),
        "cli/export_outside_contract" => {
            json!({ "month": "2026-04", "start": "2024-04-01", "end": "2025-03-31" })
        }
        "cli/export_template" => {
            json!({ "template": "export/consultations", "problem": "expected three blocks" })
        }
        _ => return None,
    })
}

fn contract_period() -> Value {
    json!({ "bucket": "contract:2024-04-01", "month_ja": null })
}

fn work_item() -> Value {
    json!({ "kind": "procurement_review", "number": 3, "title": "基幹系システム更改", "counted": true, "position": 3,
            "attributes": { "type": "c", "amount": "35000", "viewpoints": "a,g" }, "by": "consultant" })
}

fn work_kinds() -> Value {
    json!([{ "kind": "site_audit", "counted": 2, "limit": 4, "held": 0, "period": contract_period() },
           { "kind": "training", "counted": 1, "limit": 3, "held": 1, "period": { "bucket": "2024-06", "month_ja": "令和6年6月" } }])
}

fn kadai_item() -> Value {
    json!({ "id": "K-003", "title": "研修資料の確認", "owner": "U0SATO", "owner_is_user": true,
            "due": "2024-06-21", "priority": "high", "status": "open", "meeting": "2024-06-11", "overdue": true })
}

fn meeting() -> Value {
    json!({
        "key": "regular:2024-06", "kind": "regular_meeting", "date": "2024-06-11", "start": "10:00", "end": "11:00",
        "starts_at": "2024-06-11T10:00:00+09:00", "moved": false, "scheduled_date": "2024-06-11",
        "deadline": "2024-06-07", "deliverables": ["会議次第", "課題管理表"], "url": "https://meet.example/abc",
        "place": "本庁舎5階 会議室A", "agenda": "監査項目の確認",
    })
}

fn items() -> Value {
    json!([
        { "item": "会議次第", "submitted": true, "by": "consultant", "at": "2024-06-07 09:05" },
        { "item": "課題管理表", "submitted": false, "by": null, "at": null },
    ])
}

fn consultation() -> Value {
    json!({
        "short_id": "2406-003", "title": "VPN装置の脆弱性", "details": "<script> & 詳細", "requester": "tanaka",
        "department": "総務課", "category": "technical", "desired_date": "2024-06-20", "status": "received",
        "assignee": "consultant", "received": "2024-06-07 10:00", "received_month": "2024-06", "quota_bucket": "2024-06",
        "quota_position": 3, "exception": false, "decline_reason": null,
    })
}

/// A person's own consultation in the App Home, with its latest answer.
fn mine_answered() -> serde_json::Value {
    let mut mine = consultation();
    mine["status"] = json!("answered");
    mine["answer"] = json!("パスワードを変更してください。");
    mine
}

#[test]
fn every_template_renders_in_both_languages() {
    for language in [Language::Ja, Language::En] {
        let texts = Texts::built_in(language);
        for (name, _) in embedded_templates(language) {
            let context =
                fixture(name).unwrap_or_else(|| panic!("add a fixture for template {name}"));
            let text = texts.render(name, &context);
            // Macro libraries render nothing by themselves.
            if !name.starts_with("macros/") {
                assert!(
                    !text.trim().is_empty(),
                    "{name} ({language:?}) rendered nothing"
                );
            }
            assert!(
                !text.starts_with("[banso:"),
                "{name} ({language:?}) failed to render"
            );
        }
    }
}

#[test]
fn japanese_is_the_default_and_english_is_english() {
    let context =
        json!({ "from": "2024-06-11", "open_days": -2, "count": 2, "date": "2024-06-07" });
    let ja = Texts::built_in(Language::Ja).render("cli/shift", &context);
    let en = Texts::built_in(Language::En).render("cli/shift", &context);
    assert_eq!(ja, "2024-06-11 の2開庁日前は 2024-06-07（金）です。");
    assert_eq!(en, "2 open days before 2024-06-11 is 2024-06-07.");
}

#[test]
fn a_configuration_problem_names_the_file_line_and_key() {
    let problem = json!({ "key": "reminders.due", "line": 9, "kind": "invalid_value", "value": "9am", "expected": "HH:MM" });
    let ja = Texts::built_in(Language::Ja).render(
        "cli/config_problem",
        json!({ "file": "banso.toml", "problem": problem }),
    );
    assert_eq!(
        ja,
        "banso.toml:9: reminders.due: 「9am」は使えません（HH:MM）。"
    );
}

/// The templates keep what people typed as typed; the Slack adapter
/// escapes every text it sends once (`chat::slack::mrkdwn::escape`), and
/// the console and the exports show it as it is.
#[test]
fn user_text_stays_as_typed_in_the_templates_and_is_escaped_once_for_slack() {
    let text = Texts::built_in(Language::Ja).render(
        "consult/team_notice",
        json!({ "c": consultation(), "limit": 10, "held": false }),
    );
    assert!(text.contains("<script> & 詳細"), "{text}");
    assert!(text.contains("今月 3件目 / 上限10件"), "{text}");
    let slack = banso::chat::slack::mrkdwn::escape(&text);
    assert!(slack.contains("&lt;script&gt; &amp; 詳細"), "{slack}");
    assert!(!slack.contains("&amp;amp;"), "{slack}");
}

#[test]
fn a_capped_list_says_how_many_there_are() {
    let texts = Texts::built_in(Language::Ja);
    let capped = texts.render(
        "consult/list",
        json!({ "items": vec![consultation(); 50], "total": 79, "scope": "all" }),
    );
    assert!(
        capped.starts_with("すべての相談（最新50件／全79件）"),
        "{capped}"
    );
    let whole = texts.render(
        "consult/list",
        json!({ "items": [consultation()], "total": 1, "scope": "all" }),
    );
    assert!(whole.starts_with("すべての相談（1件）"), "{whole}");
    let english = Texts::built_in(Language::En).render(
        "consult/list",
        json!({ "items": vec![consultation(); 50], "total": 79, "scope": "all" }),
    );
    assert!(
        english.starts_with("All consultations (latest 50 of 79)"),
        "{english}"
    );
}
