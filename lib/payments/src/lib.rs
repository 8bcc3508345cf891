//! Payments with Stripe: the signature Stripe puts on every webhook (checked as Stripe's own
//! libraries check it, and made as Stripe makes it), the events Bistro reads, a small client of the
//! calls Bistro makes, and (feature `fake`) a fake Stripe on loopback for the tests and the demo.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod client;
pub mod event;
#[cfg(feature = "fake")]
pub mod fake;
pub mod webhook;

pub use client::{ApiKey, Stripe, StripeError};
