//! How an order is laid out in the table: two items in the order's own partition, each in a
//! compact JSON that `jq` still reads (`lib/store/KEYS.md` shows both).
//!
//! - The **ticket** (`ORDER`): what was ordered, by whom, for how much, and a fingerprint of the
//!   request that placed it (the order's id comes from the guest's idempotency key, so a retry
//!   finds the ticket and is compared with it). Written at placement and again only when the
//!   guest's personal data is erased, which drops the fingerprint too.
//! - The **progress** (`STATE`): state, history, driver; its item version is the order's. Every
//!   change rewrites only this, which stays well under 1 KB, so a change costs one write unit
//!   (twice, in its transaction) however long the order is.
//!
//! The compact form writes each amount as minor units with the currency once, lines as arrays,
//! and leaves out what the key already says (the restaurant and the order's id).

use bistro_domain::cart::{PricedChoice, PricedLine, Quantity};
use bistro_domain::ids::{ItemId, OptionGroupId, OptionId, OrderId, Slug, Token, UserId};
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::money::{Currency, Money, TaxMode, TaxRate, Totals};
use bistro_domain::order::{Actor, Customer, Order, OrderKind, OrderState, Transition};
use bistro_domain::payment::{PaidWith, Payment, PaymentState, ProviderId, Refund};
use bistro_domain::restaurant::Role;
use bistro_domain::text::{Name, Note};
use bistro_domain::timing::Promise;
use serde::{Deserialize, Serialize};

use super::{RepoError, decode, encode};
use crate::keys;
use crate::seam::{Index, Item};

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Ticket {
    #[serde(rename = "n")]
    number: u32,
    #[serde(rename = "d")]
    business_date: Date,
    #[serde(rename = "k")]
    kind: OrderKind,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    customer: Option<Customer>,
    /// The currency of every amount below.
    #[serde(rename = "$")]
    currency: Currency,
    #[serde(rename = "l")]
    lines: Vec<Line>,
    /// The delivery's fee, when it had one.
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    delivery_fee: Option<i64>,
    /// Subtotal, tax and total.
    #[serde(rename = "t")]
    totals: (i64, i64, i64),
    #[serde(rename = "r")]
    tax_rate: TaxRate,
    #[serde(rename = "m")]
    tax_mode: TaxMode,
    #[serde(rename = "p")]
    placed_at: Timestamp,
    /// The promised time, and whether the guest chose it (absent on orders older than promises).
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    promise: Option<(Timestamp, bool)>,
    /// When the kitchen should start, kept only where it is not `placed_at` (a later slot's).
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    start_by: Option<Timestamp>,
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    erased_at: Option<Timestamp>,
    #[serde(rename = "x")]
    token: Token,
    /// The fingerprint of the request that placed the order (absent once erased, and on orders
    /// placed when a separate record held it).
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub(crate) request: Option<String>,
    /// The online payment: its provider's id, the restaurant's account, the amount and the
    /// platform's fee (absent when paid at the restaurant).
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    paid: Option<(ProviderId, ProviderId, i64, i64)>,
    /// The guest's tip, part of the amount paid online.
    #[serde(rename = "j", default, skip_serializing_if = "Option::is_none")]
    tip: Option<i64>,
    /// How the guest paid online, as the provider said.
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    method: Option<PaidWith>,
}

/// Item, name, quantity, unit price, line total, choices (group, option, name, price delta), note.
type Line = (ItemId, Name, Quantity, i64, i64, Vec<(OptionGroupId, OptionId, Name, i64)>, Option<Note>);

/// From, to, when, and who: `null` for the guest, else the staff account and its role.
type Step = (OrderState, OrderState, Timestamp, Option<(UserId, Role)>);

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Progress {
    #[serde(rename = "s")]
    state: OrderState,
    #[serde(rename = "h")]
    history: Vec<Step>,
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    driver: Option<UserId>,
    /// Why the restaurant rejected it, as the guest is told.
    #[serde(rename = "y", default, skip_serializing_if = "Option::is_none")]
    reason: Option<Note>,
    /// Where the online payment stands (absent when paid at the restaurant).
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    paid: Option<PaymentState>,
    /// Refunds of it: the provider's id, the amount, why, and when.
    #[serde(rename = "q", default, skip_serializing_if = "Vec::is_empty")]
    refunds: Vec<(ProviderId, i64, Note, Timestamp)>,
}

/// The order's two items: its ticket (with the fingerprint of the `request` that placed it, if
/// given) and its progress, with their index keys.
pub(crate) fn items(order: &Order, request: Option<&str>) -> Result<[Item; 2], RepoError> {
    Ok([ticket_item(order, request)?, progress_item(order)?])
}

fn ticket_item(order: &Order, request: Option<&str>) -> Result<Item, RepoError> {
    let slug = &order.restaurant;
    Ok(Item::new(keys::order(slug, &order.id), order.version, encode(&ticket(order, request))?)
        .with_index(Index::Gsi2, keys::order_in_day(slug, order.business_date, order.number)))
}

/// What was ordered, by whom, for how much: in the ticket's compact form (also how a checkout
/// keeps the order it will place).
pub(crate) fn ticket(order: &Order, request: Option<&str>) -> Ticket {
    let currency = order.totals.total.currency;
    let amount = |money: &Money| money.minor;
    let lines = order
        .lines
        .iter()
        .map(|line| {
            let choices = line
                .choices
                .iter()
                .map(|c| (c.group.clone(), c.option.clone(), c.name.clone(), amount(&c.price_delta)))
                .collect();
            (
                line.item.clone(),
                line.name.clone(),
                line.quantity,
                amount(&line.unit_price),
                amount(&line.line_total),
                choices,
                line.note.clone(),
            )
        })
        .collect();
    Ticket {
        number: order.number,
        business_date: order.business_date,
        kind: order.kind.clone(),
        customer: order.customer.clone(),
        currency,
        lines,
        delivery_fee: order.delivery_fee.map(|fee| fee.minor),
        totals: (order.totals.subtotal.minor, order.totals.tax.minor, order.totals.total.minor),
        tax_rate: order.totals.tax_rate,
        tax_mode: order.totals.tax_mode,
        placed_at: order.placed_at,
        promise: order.promise.map(|p| (p.at, p.scheduled)),
        start_by: order.promise.and_then(|p| p.start_by).filter(|start| *start != order.placed_at),
        erased_at: order.erased_at,
        token: order.token.clone(),
        request: request.map(str::to_owned),
        paid: order.payment.as_ref().map(|p| (p.intent.clone(), p.account.clone(), p.amount.minor, p.fee.minor)),
        tip: order.payment.as_ref().and_then(|p| p.tip).map(|tip| tip.minor),
        method: order.payment.as_ref().and_then(|p| p.method.clone()),
    }
}

pub(crate) fn progress_item(order: &Order) -> Result<Item, RepoError> {
    let slug = &order.restaurant;
    let history = order
        .history
        .iter()
        .map(|t| {
            let actor = match &t.actor {
                Actor::Customer => None,
                Actor::Staff { user, role } => Some((user.clone(), *role)),
            };
            (t.from, t.to, t.at, actor)
        })
        .collect();
    let progress = Progress {
        state: order.state,
        history,
        driver: order.driver.clone(),
        reason: order.reason.clone(),
        paid: order.payment.as_ref().map(|p| p.state),
        refunds: order
            .payment
            .iter()
            .flat_map(|p| &p.refunds)
            .map(|r| (r.id.clone(), r.amount.minor, r.reason.clone(), r.at))
            .collect(),
    };
    let mut item = Item::new(keys::order_progress(slug, &order.id), order.version, encode(&progress)?);
    if !order.state.is_final() {
        item = item.with_index(Index::Gsi3, keys::open_order(slug, order.business_date, order.number));
    }
    if let Some(driver) = &order.driver {
        item = item.with_index(Index::Gsi1, keys::delivery(slug, driver, order.business_date, order.number));
    }
    Ok(item)
}

/// The order from its partition's items (in any order); `None` when the partition is empty.
pub(crate) fn order(items: &[Item]) -> Result<Option<Order>, RepoError> {
    Ok(placed(items)?.map(|(order, _)| order))
}

fn priced_line((item, name, quantity, unit, total, choices, note): Line, currency: Currency) -> PricedLine {
    let money = |minor| Money::new(minor, currency);
    PricedLine {
        item,
        name,
        choices: choices
            .into_iter()
            .map(|(group, option, name, delta)| PricedChoice { group, option, name, price_delta: money(delta) })
            .collect(),
        quantity,
        note,
        unit_price: money(unit),
        line_total: money(total),
    }
}

fn transition((from, to, at, actor): Step) -> Transition {
    Transition { from, to, at, actor: actor.map_or(Actor::Customer, |(user, role)| Actor::Staff { user, role }) }
}

/// The order from its partition's items, with the fingerprint of the request that placed it.
pub(crate) fn placed(items: &[Item]) -> Result<Option<(Order, Option<String>)>, RepoError> {
    let corrupt = |what: &str| RepoError::Corrupt(format!("order partition: {what}"));
    let (Some(ticket), Some(progress)) =
        (items.iter().find(|i| i.key.sk == "ORDER"), items.iter().find(|i| i.key.sk == "STATE"))
    else {
        return if items.is_empty() { Ok(None) } else { Err(corrupt("the ticket or the progress is missing")) };
    };
    let (restaurant, id): (Slug, OrderId) = keys::order_of(&ticket.key.pk).ok_or_else(|| corrupt("its key"))?;
    let t: Ticket = decode(ticket)?;
    let p: Progress = decode(progress)?;
    let request = t.request.clone();
    Ok(Some((assemble(restaurant, id, t, p, progress.version), request)))
}

impl Progress {
    /// A placed order's progress before any change: what a checkout's order starts with.
    pub(crate) fn placed() -> Self {
        Self {
            state: OrderState::Placed,
            history: Vec::new(),
            driver: None,
            reason: None,
            paid: None,
            refunds: Vec::new(),
        }
    }
}

/// The order from its ticket and its progress.
pub(crate) fn assemble(restaurant: Slug, id: OrderId, t: Ticket, p: Progress, version: u64) -> Order {
    let money = |minor| Money::new(minor, t.currency);
    let lines = t.lines.into_iter().map(|line| priced_line(line, t.currency)).collect();
    let history = p.history.into_iter().map(transition).collect();
    Order {
        id,
        restaurant,
        number: t.number,
        business_date: t.business_date,
        kind: t.kind,
        customer: t.customer,
        lines,
        delivery_fee: t.delivery_fee.map(money),
        totals: Totals {
            subtotal: money(t.totals.0),
            tax: money(t.totals.1),
            total: money(t.totals.2),
            tax_rate: t.tax_rate,
            tax_mode: t.tax_mode,
        },
        state: p.state,
        history,
        reason: p.reason,
        erased_at: t.erased_at,
        placed_at: t.placed_at,
        promise: t.promise.map(|(at, scheduled)| Promise {
            at,
            scheduled,
            start_by: t.start_by.or((!scheduled).then_some(t.placed_at)),
        }),
        driver: p.driver,
        token: t.token,
        version,
        payment: t.paid.map(|(intent, account, amount, fee)| Payment {
            intent,
            account,
            amount: money(amount),
            fee: money(fee),
            state: p.paid.unwrap_or(PaymentState::Authorized),
            refunds: p
                .refunds
                .into_iter()
                .map(|(id, amount, reason, at)| Refund { id, amount: money(amount), reason, at })
                .collect(),
            tip: t.tip.map(money),
            method: t.method,
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use bistro_testkit::fixtures;

    fn manager() -> Actor {
        Actor::Staff { user: UserId::parse("1a5cf252f56a995f89366b9b75d05ca4").unwrap(), role: Role::Manager }
    }

    fn accepted_order() -> Order {
        let day = fixtures::berlin().at(fixtures::tomorrow_evening()).date();
        let mut order = Order::place(OrderId::generate(), fixtures::new_order("roma", day), 7);
        order.transition(OrderState::Accepted, manager(), Timestamp::now()).unwrap();
        order
    }

    #[test]
    fn an_order_reads_back_from_its_two_items_as_it_was_written() {
        let order = accepted_order();
        let [ticket, progress] = items(&order, Some("fingerprint")).unwrap();
        assert_eq!(placed(&[progress, ticket]).unwrap(), Some((order, Some("fingerprint".to_owned()))));
    }

    #[test]
    fn an_open_order_is_in_the_open_index_and_a_finished_one_is_not() {
        assert!(progress_item(&accepted_order()).unwrap().index_keys[Index::Gsi3.position()].is_some());
        let day = fixtures::berlin().at(fixtures::tomorrow_evening()).date();
        let mut rejected = Order::place(OrderId::generate(), fixtures::new_order("roma", day), 8);
        rejected.transition(OrderState::Rejected, manager(), Timestamp::now()).unwrap();
        assert!(progress_item(&rejected).unwrap().index_keys[Index::Gsi3.position()].is_none());
    }

    #[test]
    fn a_partition_with_only_one_of_its_items_is_corrupt() {
        let [ticket, _] = items(&accepted_order(), None).unwrap();
        assert!(matches!(self::order(&[ticket]), Err(RepoError::Corrupt(_))));
        assert_eq!(self::order(&[]).unwrap(), None);
    }
}
