//! Adapters between people and the bot core. Each turns a platform's input
//! into calls on [`crate::bot::Bot`] and renders its outgoing messages; the
//! console adapter is the first, the Slack adapter follows the same shape.

pub mod console;
pub mod slack;
