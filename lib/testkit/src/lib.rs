//! Test support shared by the workspace's test suites.
#![allow(clippy::expect_used, clippy::unwrap_used)]
#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod fixtures;
pub mod moto;
pub mod runtime_api;
