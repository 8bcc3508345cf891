//! Fixtures shared by the domain's unit tests.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;

use jiff::civil::time;

use crate::cart::{CartLine, Choice, PricedCart, Quantity};
use crate::hours::{Interval, OpeningHours, Zone};
use crate::ids::{CategoryId, ItemId, OptionGroupId, OptionId, OrderId, Slug, TableId, UserId};
use crate::menu::{ItemDetails, MenuItem, MenuOption, OptionGroup};
use crate::money::{Currency, Money, TaxMode, TaxRate, Totals};
use crate::order::{Actor, Customer, NewOrder, Order, OrderKind};
use crate::reservation::ReservationSettings;
use crate::restaurant::{OrderKinds, Restaurant, Role, Tax};
use crate::text::Name;

pub fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

pub fn option(id: &str, delta: i64) -> MenuOption {
    MenuOption {
        id: OptionId::parse(id).unwrap(),
        name: Name::parse(id).unwrap(),
        price_delta: Money::new(delta, eur()),
    }
}

pub fn item(id: &str, price: i64) -> MenuItem {
    let details = ItemDetails {
        category: CategoryId::parse("mains").unwrap(),
        name: Name::parse(id).unwrap(),
        description: Default::default(),
        price: Money::new(price, eur()),
        image_key: None,
        image_variants: Vec::new(),
        position: 0,
        allergens: BTreeSet::new(),
        dietary: BTreeSet::new(),
        sold_out: false,
        availability: Vec::new(),
        option_groups: Vec::new(),
    };
    MenuItem::new(ItemId::parse(id).unwrap(), details, 1).unwrap()
}

/// A 9.00 pizza: one size required (small −1.00, large +3.00), up to two extras.
pub fn pizza_with_sizes() -> MenuItem {
    let mut details = item("pizza", 900).details().clone();
    details.option_groups = vec![
        OptionGroup::new(
            OptionGroupId::parse("size").unwrap(),
            Name::parse("Size").unwrap(),
            1,
            1,
            vec![option("small", -100), option("large", 300)],
        )
        .unwrap(),
        OptionGroup::new(
            OptionGroupId::parse("extras").unwrap(),
            Name::parse("Extras").unwrap(),
            0,
            2,
            vec![option("olives", 50), option("basil", 30)],
        )
        .unwrap(),
    ];
    MenuItem::new(ItemId::parse("pizza").unwrap(), details, 1).unwrap()
}

pub fn line(item: &str, choices: &[(&str, &str)], quantity: u32) -> CartLine {
    CartLine {
        item: ItemId::parse(item).unwrap(),
        choices: choices
            .iter()
            .map(|(g, o)| Choice { group: OptionGroupId::parse(g).unwrap(), option: OptionId::parse(o).unwrap() })
            .collect(),
        quantity: Quantity::new(quantity).unwrap(),
        note: None,
    }
}

/// Open 11:00–23:00 every day in Berlin, ten tables.
pub fn restaurant() -> Restaurant {
    let interval = Interval::new(time(11, 0, 0, 0), time(23, 0, 0, 0));
    Restaurant {
        slug: Slug::parse("roma").unwrap(),
        name: Name::parse("Trattoria Roma").unwrap(),
        address: None,
        currency: eur(),
        time_zone: Zone::parse("Europe/Berlin").unwrap(),
        hours: OpeningHours::new(std::array::from_fn(|_| vec![interval]), BTreeSet::new()).unwrap(),
        order_kinds: OrderKinds { dine_in: true, pickup: true, delivery: true },
        switches: Default::default(),
        tables: (1..=10).map(|n| TableId::parse(&n.to_string()).unwrap()).collect(),
        tax: Tax { rate: TaxRate::from_basis_points(1900).unwrap(), mode: TaxMode::Inclusive },
        reservations: ReservationSettings::new(30, 90, 20, 1, 8, 60, 30).unwrap(),
        personal_data_days: Default::default(),
        language: crate::restaurant::Language::default(),
        timing: Default::default(),
        pace: Default::default(),
        day_starts: Default::default(),
        delivery: Default::default(),
        ticket_alerts: Default::default(),
        payment: Default::default(),
        payment_account: None,
        tips: Default::default(),
    }
}

pub fn order_of_kind(kind: OrderKind) -> Order {
    let subtotal = Money::new(900, eur());
    let totals = Totals::compute(subtotal, TaxRate::from_basis_points(1900).unwrap(), TaxMode::Inclusive).unwrap();
    let new = NewOrder {
        restaurant: Slug::parse("roma").unwrap(),
        kind,
        customer: Customer { name: Name::parse("Ada").unwrap(), phone: None },
        priced: PricedCart { lines: Vec::new(), delivery_fee: None, totals },
        placed_at: "2026-11-23T12:00:00Z".parse().unwrap(),
        business_date: jiff::civil::date(2026, 11, 23),
        promise: crate::timing::Promise {
            at: "2026-11-23T12:20:00Z".parse().unwrap(),
            scheduled: false,
            start_by: Some("2026-11-23T12:00:00Z".parse().unwrap()),
        },
    };
    Order::place(OrderId::generate(), new, 1)
}

pub fn staff(role: Role) -> Actor {
    Actor::Staff { user: UserId::generate(), role }
}
