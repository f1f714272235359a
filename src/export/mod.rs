//! Exports: the plans of the domain written out in formats other programs read. `ics` is
//! the meeting calendar (RFC 5545) that Outlook, Google Calendar and the like import or
//! subscribe to; `consultations` the month's 相談対応記録 workbook (`xlsx` holds what every
//! workbook shares); `files` writes any of them whole or not at all; `xml_text` keeps out of
//! every xlsx and docx the characters XML cannot carry. Exports depend on
//! `domain` only; the words they show are passed in.

pub mod consultations;
pub mod files;
pub mod ics;
pub mod progress;
pub mod xlsx;
pub mod xml_text;
