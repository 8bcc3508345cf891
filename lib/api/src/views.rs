//! What responses show of the domain: everything a client needs, no secrets (tokens, hashes).
//! An order's view is the domain's own (`OrderView`): the live updates send the same shape.

use serde::Serialize;
use utoipa::ToSchema;

use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::reservation::{Contact, Reservation, ReservationStatus};
use bistro_domain::restaurant::{Account, Role};

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: bistro_domain::ids::UserId,
    pub restaurant: bistro_domain::ids::Slug,
    pub email: bistro_domain::ids::Email,
    pub name: bistro_domain::text::Name,
    pub role: Role,
    /// A disabled account cannot sign in until the owner enables it.
    pub disabled: bool,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        Self { id: a.id, restaurant: a.restaurant, email: a.email, name: a.name, role: a.role, disabled: a.disabled }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationView {
    pub id: bistro_domain::ids::ReservationId,
    pub restaurant: bistro_domain::ids::Slug,
    #[schema(value_type = bistro_domain::schema::Instant)]
    pub starts_at: Timestamp,
    /// The start in the restaurant's local time, with offset and zone.
    pub local_start: String,
    #[schema(value_type = bistro_domain::schema::LocalDate)]
    pub date: Date,
    pub party: u16,
    /// Who booked; absent once their personal data was erased.
    pub contact: Option<Contact>,
    pub note: Option<bistro_domain::text::Note>,
    pub status: ReservationStatus,
    #[schema(value_type = Option<bistro_domain::schema::Instant>)]
    pub erased_at: Option<Timestamp>,
    pub version: u64,
}

impl ReservationView {
    pub fn new(r: Reservation, zone: &bistro_domain::hours::Zone) -> Self {
        Self {
            local_start: zone.at(r.starts_at).to_string(),
            id: r.id,
            restaurant: r.restaurant,
            starts_at: r.starts_at,
            date: r.date,
            party: r.party,
            contact: r.contact,
            note: r.note,
            status: r.status,
            erased_at: r.erased_at,
            version: r.version,
        }
    }
}
