//! Pure rules of the contract: no I/O, no async, no clock reads, no database,
//! nothing of Slack. Every function takes the instant or data it needs.

pub mod calendar;
pub mod consultation;
pub mod fiscal;
pub mod kadai;
pub mod meeting;
pub mod month;
pub mod quota;
pub mod search;
pub mod work;
