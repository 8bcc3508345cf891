//! Bistro's domain: the types and rules of a restaurant that takes orders and bookings.
//!
//! Every type here is built through `parse`/`TryFrom`, so a value that exists is valid. Nothing in
//! this crate knows about storage, HTTP or AWS; those layers translate to and from these types.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod cart;
pub mod delivery;
pub mod delivery_area;
pub mod hours;
pub mod ids;
pub mod menu;
pub mod money;
pub mod offer;
pub mod order;
pub mod pace;
pub mod payment;
pub mod reconcile;
pub mod report;
pub mod reservation;
pub mod restaurant;
pub mod saved_group;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod staff;
pub mod text;
pub mod timing;
pub mod tip;

pub use jiff;

#[cfg(test)]
mod test_support;
