//! Exports: the plans of the domain written out in formats other programs read. `ics` is
//! the meeting calendar (RFC 5545) that Outlook, Google Calendar and the like import or
//! subscribe to. Exports depend on `domain` only; the words they show are passed in.

pub mod ics;
