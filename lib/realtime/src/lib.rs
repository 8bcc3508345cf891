//! Live order updates: the protocol, who may subscribe to what, resuming, and the fan-out that
//! delivers an event to every connection allowed to see it. The same code runs behind API
//! Gateway (the `ws` and `notifier` functions) and in the local server (`/ws`); each host brings
//! its own `Sender` and its own token authority.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod connect;
pub mod conversation;
pub mod fanout;
pub mod protocol;
