//! banso: a Slack bot for a city's information-security support contract.
//!
//! The library holds everything, the command line too (`cli`); `main.rs`
//! only sets up the process and hands over to `cli::main`. See
//! `ARCHITECTURE.md` for the map.

pub mod bot;
pub mod chat;
pub mod cli;
pub mod config;
pub mod domain;
pub mod export;
pub mod message;
pub mod scheduler;
pub mod store;
