//! What a restaurant sold: orders, revenue, tax per rate, average order, by kind, by dish and by
//! hour, from its stored orders. An order sells once the restaurant accepted it: cancelled and
//! rejected orders, and those nobody accepted (still placed at closing), are counted apart.
//!
//! Hours are the restaurant's local hours, each named with its offset: a night when the clocks go
//! back has two hours that start at 02:00 (2026-10-25 in Berlin has 25), and they stay apart.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::hours::Zone;
use crate::ids::ItemId;
use crate::money::{Currency, Money};
use crate::order::{Order, OrderState};
use crate::text::Name;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesReport {
    /// Orders the restaurant accepted and did not reject (the guest did not cancel them).
    pub orders: u32,
    pub revenue: Money,
    /// Revenue divided by orders, rounded down to the currency's minor unit; zero without orders.
    pub average: Money,
    pub tax: Vec<TaxLine>,
    pub cancelled: u32,
    pub rejected: u32,
    /// Orders still placed, nobody accepted them: not in the revenue until someone does.
    pub unaccepted: u32,
    /// What those would come to.
    pub unaccepted_total: Money,
    pub by_kind: Vec<Share>,
    pub by_item: Vec<ItemShare>,
    pub by_hour: Vec<HourShare>,
    /// The money by way of paying: what was sold, tipped, given back and paid in fees.
    pub books: Books,
}

/// The days' money by way of paying. Sales and tips belong to the business day of their order;
/// refunds (and the fee that came back with them) to the business day they were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Books {
    /// Paid online, before the order reached the kitchen.
    pub online: WayOfPaying,
    /// Paid at the restaurant: at the table, the counter or the door.
    pub at_restaurant: WayOfPaying,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WayOfPaying {
    /// Orders sold (as in the report's `orders`).
    pub orders: u32,
    /// What they came to, without tips.
    pub sales: Money,
    /// Tips paid with them.
    pub tips: Money,
    /// How many refunds were made on these days, and how much they gave back.
    pub refund_count: u32,
    pub refunds: Money,
    /// The platform's fee on what was taken, less what came back with refunds.
    pub fees: Money,
    /// What the restaurant keeps: sales and tips, less refunds and fees.
    pub net: Money,
}

impl WayOfPaying {
    fn zero(currency: Currency) -> Self {
        let zero = Money::zero(currency);
        Self { orders: 0, sales: zero, tips: zero, refund_count: 0, refunds: zero, fees: zero, net: zero }
    }

    fn settle(mut self) -> Self {
        let net = self.sales.minor + self.tips.minor - self.refunds.minor - self.fees.minor;
        self.net = Money::new(net, self.sales.currency);
        self
    }
}

/// A refund as the books keep it: under the business day it was made, with the order it gave
/// back from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BookedRefund {
    /// The provider's id of the refund.
    pub refund: crate::payment::ProviderId,
    pub order: crate::ids::OrderId,
    /// The order's number and business day.
    pub number: u32,
    pub order_day: jiff::civil::Date,
    pub amount: Money,
    /// The platform's fee that came back with it.
    pub fee_returned: Money,
    pub at: Timestamp,
    /// The business day it was made on: the day whose books it is in.
    pub made_on: jiff::civil::Date,
}

/// The books of `sold` orders (those the report counts as sold) and of the `refunds` made on the
/// same days.
fn books(sold: &[&Order], refunds: &[BookedRefund], currency: Currency) -> Books {
    let (mut online, mut there) = (WayOfPaying::zero(currency), WayOfPaying::zero(currency));
    let add = |a: Money, minor: i64| Money::new(a.minor + minor, a.currency);
    for order in sold {
        let total = order.totals.total.minor;
        match &order.payment {
            Some(payment) => {
                online.orders += 1;
                online.sales = add(online.sales, total);
                online.tips = add(online.tips, payment.tip.map_or(0, |tip| tip.minor));
                online.fees = add(online.fees, payment.fee.minor);
            }
            None => {
                there.orders += 1;
                there.sales = add(there.sales, total);
            }
        }
    }
    for refund in refunds.iter().filter(|r| r.amount.currency == currency) {
        online.refund_count += 1;
        online.refunds = add(online.refunds, refund.amount.minor);
        online.fees = add(online.fees, -refund.fee_returned.minor);
    }
    Books { online: online.settle(), at_restaurant: there.settle() }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxLine {
    /// Basis points (1900 is 19 %).
    pub rate: u32,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// dine_in, pickup or delivery.
    pub kind: String,
    pub orders: u32,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemShare {
    pub item: ItemId,
    pub name: Name,
    pub quantity: u32,
    pub revenue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourShare {
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub starts_at: Timestamp,
    /// The hour's start in the restaurant's local time with its offset ("02:00+01:00").
    pub local: String,
    pub orders: u32,
    pub revenue: Money,
}

fn empty(currency: Currency) -> SalesReport {
    let zero = Money::zero(currency);
    SalesReport {
        orders: 0,
        revenue: zero,
        average: zero,
        tax: Vec::new(),
        cancelled: 0,
        rejected: 0,
        unaccepted: 0,
        unaccepted_total: zero,
        by_kind: Vec::new(),
        by_item: Vec::new(),
        by_hour: Vec::new(),
        books: books(&[], &[], currency),
    }
}

/// The report of `orders` (those of the days asked for) and the `refunds` made on those days, in
/// `currency`, hours in `zone`.
pub fn sales(orders: &[Order], refunds: &[BookedRefund], currency: Currency, zone: &Zone) -> SalesReport {
    let zero = Money::zero(currency);
    let add = |a: Money, b: Money| a.checked_add(b).unwrap_or(a);
    let mut report = empty(currency);
    let mut sold = Vec::new();
    let mut tax: BTreeMap<u32, Money> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, (u32, Money)> = BTreeMap::new();
    let mut items: BTreeMap<ItemId, (Name, u32, Money)> = BTreeMap::new();
    let mut hours: BTreeMap<Timestamp, (String, u32, Money)> = BTreeMap::new();
    for order in orders {
        match order.state {
            OrderState::Cancelled => report.cancelled += 1,
            OrderState::Rejected => report.rejected += 1,
            OrderState::Placed => {
                report.unaccepted += 1;
                report.unaccepted_total = add(report.unaccepted_total, order.totals.total);
            }
            _ => {
                let total = order.totals.total;
                sold.push(order);
                report.orders += 1;
                report.revenue = add(report.revenue, total);
                let rate = tax.entry(order.totals.tax_rate.basis_points()).or_insert(zero);
                *rate = add(*rate, order.totals.tax);
                let kind = kinds.entry(kind_key(order)).or_insert((0, zero));
                *kind = (kind.0 + 1, add(kind.1, total));
                for line in &order.lines {
                    let item = items.entry(line.item.clone()).or_insert((line.name.clone(), 0, zero));
                    item.1 += line.quantity.get();
                    item.2 = add(item.2, line.line_total);
                }
                let hour = hour_of(order.placed_at, zone);
                let slot = hours.entry(hour.0).or_insert((hour.1, 0, zero));
                *slot = (slot.0.clone(), slot.1 + 1, add(slot.2, total));
            }
        }
    }
    report.average = Money::new(report.revenue.minor.checked_div(i64::from(report.orders)).unwrap_or(0), currency);
    report.tax = tax.into_iter().map(|(rate, amount)| TaxLine { rate, amount }).collect();
    report.by_kind =
        kinds.into_iter().map(|(kind, (orders, revenue))| Share { kind: kind.to_owned(), orders, revenue }).collect();
    let mut by_item: Vec<ItemShare> = items
        .into_iter()
        .map(|(item, (name, quantity, revenue))| ItemShare { item, name, quantity, revenue })
        .collect();
    by_item.sort_by(|a, b| b.revenue.minor.cmp(&a.revenue.minor).then_with(|| a.item.cmp(&b.item)));
    report.by_item = by_item;
    report.by_hour = by_hour(hours);
    report.books = books(&sold, refunds, currency);
    report
}

fn by_hour(hours: BTreeMap<Timestamp, (String, u32, Money)>) -> Vec<HourShare> {
    hours
        .into_iter()
        .map(|(starts_at, (local, orders, revenue))| HourShare { starts_at, local, orders, revenue })
        .collect()
}

fn kind_key(order: &Order) -> &'static str {
    match order.kind {
        crate::order::OrderKind::DineIn { .. } => "dine_in",
        crate::order::OrderKind::Pickup => "pickup",
        crate::order::OrderKind::Delivery { .. } => "delivery",
    }
}

/// The start of the local hour `instant` falls in, and its name with the offset.
fn hour_of(instant: Timestamp, zone: &Zone) -> (Timestamp, String) {
    let local = zone.at(instant);
    let into_hour = jiff::SignedDuration::from_secs(i64::from(local.minute()) * 60 + i64::from(local.second()))
        .checked_add(jiff::SignedDuration::from_nanos(i64::from(local.subsec_nanosecond())))
        .unwrap_or_default();
    let start = instant.checked_sub(into_hour).unwrap_or(instant);
    (start, zone.at(start).strftime("%H:%M%:z").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::OrderKind;
    use crate::test_support::order_of_kind;

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("timestamp")
    }

    /// An order placed at `when` that the restaurant accepted and served.
    fn placed(when: &str) -> Order {
        let mut order = order_of_kind(OrderKind::Pickup);
        order.placed_at = at(when);
        order.state = OrderState::Completed;
        order
    }

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").expect("zone")
    }

    #[test]
    fn the_two_hours_that_start_at_two_on_the_night_the_clocks_go_back_stay_apart() {
        // 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET on 2026-10-25.
        let orders = [placed("2026-10-25T00:30:00Z"), placed("2026-10-25T01:30:00Z"), placed("2026-10-25T01:45:00Z")];
        let report = sales(&orders, &[], orders[0].totals.total.currency, &berlin());
        let hours: Vec<(&str, u32)> = report.by_hour.iter().map(|h| (h.local.as_str(), h.orders)).collect();
        assert_eq!(hours, vec![("02:00+02:00", 1), ("02:00+01:00", 2)]);
    }

    #[test]
    fn cancelled_and_rejected_orders_are_counted_apart_and_sell_nothing() {
        let mut cancelled = placed("2026-11-23T12:00:00Z");
        cancelled.state = OrderState::Cancelled;
        let mut rejected = placed("2026-11-23T12:10:00Z");
        rejected.state = OrderState::Rejected;
        let sold = placed("2026-11-23T12:20:00Z");
        let report = sales(&[cancelled, rejected, sold.clone()], &[], sold.totals.total.currency, &berlin());
        assert_eq!((report.orders, report.cancelled, report.rejected), (1, 1, 1));
        assert_eq!(report.revenue, sold.totals.total);
        assert_eq!(report.average, sold.totals.total);
        assert_eq!(report.tax, vec![TaxLine { rate: 1900, amount: sold.totals.tax }]);
    }

    #[test]
    fn an_order_nobody_accepted_is_shown_apart_and_sells_nothing() {
        let mut waiting = placed("2026-11-23T12:00:00Z");
        waiting.state = OrderState::Placed;
        let sold = placed("2026-11-23T12:20:00Z");
        let report = sales(&[waiting.clone(), sold.clone()], &[], sold.totals.total.currency, &berlin());
        assert_eq!((report.orders, report.unaccepted), (1, 1));
        assert_eq!(report.revenue, sold.totals.total);
        assert_eq!(report.unaccepted_total, waiting.totals.total);
        assert_eq!(report.by_hour.iter().map(|h| h.orders).sum::<u32>(), 1);
    }

    #[test]
    fn the_books_keep_online_sales_tips_and_fees_apart_and_count_refunds_on_the_day_made() {
        let at_the_counter = placed("2026-11-23T12:00:00Z");
        let mut online = placed("2026-11-23T12:10:00Z");
        let currency = online.totals.total.currency;
        let eur = |minor| Money::new(minor, currency);
        let id = |raw: &str| crate::payment::ProviderId::try_from(raw.to_owned()).expect("id");
        online.payment = Some(crate::payment::Payment {
            intent: id("pi_1"),
            account: id("acct_1"),
            amount: eur(online.totals.total.minor + 200),
            fee: eur(40),
            state: crate::payment::PaymentState::Captured,
            refunds: Vec::new(),
            tip: Some(eur(200)),
            method: None,
        });
        let refund = BookedRefund {
            refund: id("re_1"),
            order: at_the_counter.id.clone(),
            number: 7,
            order_day: at_the_counter.business_date,
            amount: eur(500),
            fee_returned: eur(9),
            at: at("2026-11-23T13:00:00Z"),
            made_on: at_the_counter.business_date,
        };
        let books = sales(&[at_the_counter.clone(), online.clone()], &[refund], currency, &berlin()).books;
        assert_eq!((books.at_restaurant.orders, books.at_restaurant.sales), (1, at_the_counter.totals.total));
        assert_eq!(books.at_restaurant.net, at_the_counter.totals.total);
        let paid = &books.online;
        assert_eq!((paid.orders, paid.sales, paid.tips), (1, online.totals.total, eur(200)));
        assert_eq!((paid.refund_count, paid.refunds, paid.fees), (1, eur(500), eur(31)));
        assert_eq!(paid.net, eur(online.totals.total.minor + 200 - 500 - 31));
    }

    #[test]
    fn a_day_without_orders_reports_zero_in_its_currency() {
        let eur = Currency::parse("EUR").expect("currency");
        let report = sales(&[], &[], eur, &berlin());
        assert_eq!((report.orders, report.revenue, report.average), (0, Money::zero(eur), Money::zero(eur)));
    }
}
