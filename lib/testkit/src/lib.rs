//! Test support shared by the workspace's test suites.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod fixtures;
pub mod moto;
pub mod runtime_api;
