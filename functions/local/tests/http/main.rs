//! The API through HTTP: a real local server on a free port, driven with a real client.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod archives;
mod backup;
mod business_day;
mod deliveries;
mod delivery;
mod exposure;
mod harness;
mod hostile;
mod later;
mod limits;
mod live;
mod media;
mod moving;
mod option_groups;
mod pace;
mod privacy;
mod rejection;
mod reports;
mod restore_table;
mod sign_up;
mod smoke;
mod staff;
mod story;
mod switches;
mod tenancy;
