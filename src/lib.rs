//! banso: a Slack bot for a city's information-security support contract.
//!
//! The library holds everything; `main.rs` is only the command line. See
//! `ARCHITECTURE.md` for the map.

pub mod bot;
pub mod chat;
pub mod config;
pub mod domain;
pub mod export;
pub mod message;
pub mod scheduler;
pub mod store;
