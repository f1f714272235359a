//! The Slack adapter's pure parts so far: request signature verification
//! and Block Kit rendering of the core's messages. The transport (Socket
//! Mode, the HTTP Events API, the Web API client and the outbox sender)
//! builds on these.

pub mod blocks;
pub mod signature;
