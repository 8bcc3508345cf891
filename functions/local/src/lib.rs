//! Bistro on a laptop: every router, the static site, live updates and a per-client rate limit in
//! one process over a SQLite file (or a DynamoDB table), with a demo restaurant.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod admin;
pub mod backup;
pub mod config;
pub mod demo;
pub mod files;
mod headers;
pub mod hub;
pub mod payments;
pub mod rate_limit;
pub mod server;

pub use config::{LocalConfig, PaymentsChoice, StoreChoice};
pub use server::{LocalError, Served, app, app_with_payments, serve};
