//! Bistro on a laptop: every router, the static site, live updates and a per-client rate limit in
//! one process over a SQLite file (or a DynamoDB table), with a demo restaurant.

pub mod config;
pub mod demo;
pub mod files;
pub mod hub;
pub mod rate_limit;
pub mod server;

pub use config::{LocalConfig, StoreChoice};
pub use server::{LocalError, app, serve};
