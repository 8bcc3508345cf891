//! The JSON shapes of domain types, for the OpenAPI document only. The domain stays free of
//! documentation crates; these mirror its serde forms field for field, and schemathesis checks
//! every response against them.
#![allow(dead_code)]

use std::collections::BTreeMap;

use utoipa::ToSchema;

/// An amount in the currency's minor units (cents).
#[derive(Debug, ToSchema)]
pub struct Money {
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum TaxMode {
    Inclusive,
    Exclusive,
}

#[derive(Debug, ToSchema)]
pub struct Tax {
    /// Hundredths of a percent: 1900 is 19 %.
    pub rate: u32,
    pub mode: TaxMode,
}

#[derive(Debug, ToSchema)]
pub struct Interval {
    /// Local time, HH:MM[:SS].
    pub opens: String,
    /// Local time; at or before `opens` runs past midnight.
    pub closes: String,
}

#[derive(Debug, ToSchema)]
pub struct OpeningHours {
    /// monday … sunday → intervals.
    pub weekly: BTreeMap<String, Vec<Interval>>,
    /// Dates (YYYY-MM-DD) closed all day.
    pub closures: Vec<String>,
}

#[derive(Debug, ToSchema)]
pub struct OrderKinds {
    pub dine_in: bool,
    pub pickup: bool,
    pub delivery: bool,
}

#[derive(Debug, ToSchema)]
pub struct ReservationSettings {
    pub slot_minutes: u16,
    pub seating_minutes: u16,
    /// Guests seated at once.
    pub covers_per_slot: u16,
    pub party_min: u16,
    pub party_max: u16,
    pub lead_minutes: u32,
    pub horizon_days: u16,
}

#[derive(Debug, ToSchema)]
pub struct Restaurant {
    pub slug: String,
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// IANA time zone.
    pub time_zone: String,
    pub hours: OpeningHours,
    pub order_kinds: OrderKinds,
    pub tables: Vec<String>,
    pub tax: Tax,
    pub reservations: ReservationSettings,
}

#[derive(Debug, ToSchema)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub position: u32,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Allergen {
    Gluten,
    Crustaceans,
    Eggs,
    Fish,
    Peanuts,
    Soybeans,
    Milk,
    Nuts,
    Celery,
    Mustard,
    Sesame,
    Sulphites,
    Lupin,
    Molluscs,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DietaryTag {
    Vegetarian,
    Vegan,
    GlutenFree,
    DairyFree,
    Halal,
    Kosher,
    Spicy,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Debug, ToSchema)]
pub struct AvailabilityWindow {
    pub days: Vec<Day>,
    pub from: String,
    pub until: String,
}

#[derive(Debug, ToSchema)]
pub struct MenuOption {
    pub id: String,
    pub name: String,
    pub price_delta: Money,
}

#[derive(Debug, ToSchema)]
pub struct OptionGroup {
    pub id: String,
    pub name: String,
    pub min_choices: u8,
    pub max_choices: u8,
    pub options: Vec<MenuOption>,
}

#[derive(Debug, ToSchema)]
pub struct ItemDetails {
    pub category: String,
    pub name: String,
    pub description: Option<String>,
    pub price: Money,
    pub image_key: Option<String>,
    pub allergens: Option<Vec<Allergen>>,
    pub dietary: Option<Vec<DietaryTag>>,
    pub sold_out: Option<bool>,
    pub availability: Option<Vec<AvailabilityWindow>>,
    pub option_groups: Option<Vec<OptionGroup>>,
}

#[derive(Debug, ToSchema)]
pub struct MenuItem {
    pub id: String,
    pub category: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub image_key: Option<String>,
    pub allergens: Vec<Allergen>,
    pub dietary: Vec<DietaryTag>,
    pub sold_out: bool,
    pub availability: Vec<AvailabilityWindow>,
    pub option_groups: Vec<OptionGroup>,
    pub version: u64,
}

#[derive(Debug, ToSchema)]
pub struct Choice {
    pub group: String,
    pub option: String,
}

#[derive(Debug, ToSchema)]
pub struct CartLine {
    pub item: String,
    pub choices: Option<Vec<Choice>>,
    /// 1 to 99.
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: u32,
    pub note: Option<String>,
}

#[derive(Debug, ToSchema)]
pub struct PricedChoice {
    pub group: String,
    pub option: String,
    pub name: String,
    pub price_delta: Money,
}

#[derive(Debug, ToSchema)]
pub struct PricedLine {
    pub item: String,
    pub name: String,
    pub choices: Vec<PricedChoice>,
    pub quantity: u32,
    pub note: Option<String>,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Debug, ToSchema)]
pub struct Totals {
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub tax_rate: u32,
    pub tax_mode: TaxMode,
}

#[derive(Debug, ToSchema)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub totals: Totals,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum OrderState {
    Placed,
    Accepted,
    Rejected,
    Cancelled,
    Preparing,
    Ready,
    OutForDelivery,
    Completed,
}

#[derive(Debug, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderKind {
    DineIn { table: String },
    Pickup,
    Delivery { address: String },
}

#[derive(Debug, ToSchema)]
pub struct Customer {
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Staff,
    Driver,
}

#[derive(Debug, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Customer,
    Staff { user: String, role: Role },
}

#[derive(Debug, ToSchema)]
pub struct Transition {
    pub from: OrderState,
    pub to: OrderState,
    /// RFC 3339 instant.
    pub at: String,
    pub actor: Actor,
}

#[derive(Debug, ToSchema)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
}

#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ReservationStatus {
    Confirmed,
    Cancelled,
    Seated,
    NoShow,
}
