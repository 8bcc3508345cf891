//! Orders and the one state machine that moves them.
//!
//! ```text
//! placed ─► accepted ─► preparing ─► ready ─► completed            (dine-in, pickup)
//!                                      └───► out_for_delivery ─► completed   (delivery)
//!   ├─► rejected   (staff)
//!   └─► cancelled  (the customer, before it is accepted)
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cart::{PricedCart, PricedLine};
use crate::ids::{OrderId, Slug, TableId, Token, UserId};
use crate::money::{Money, Totals};
use crate::payment::{MoneyStep, Payment, PaymentState};
use crate::restaurant::Role;
use crate::text::{Address, Name, Note, Phone};
use crate::timing::Promise;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
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

impl OrderState {
    pub const ALL: [OrderState; 8] = [
        Self::Placed,
        Self::Accepted,
        Self::Rejected,
        Self::Cancelled,
        Self::Preparing,
        Self::Ready,
        Self::OutForDelivery,
        Self::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::OutForDelivery => "out_for_delivery",
            Self::Completed => "completed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Cancelled | Self::Completed)
    }
}

/// The state machine's edges: whether an order of `kind` may go from `from` to `to`.
fn edge(from: OrderState, to: OrderState, kind: &OrderKind) -> bool {
    use OrderState::*;
    match (from, to) {
        (Placed, Accepted | Rejected | Cancelled) | (Accepted, Preparing) | (Preparing, Ready) => true,
        (Ready, OutForDelivery) | (OutForDelivery, Completed) => kind.is_delivery(),
        (Ready, Completed) => !kind.is_delivery(),
        _ => false,
    }
}

/// Which moves a staff role may make at all: only the guest cancels (the kitchen rejects), and
/// drivers only take deliveries out and complete them.
fn staff_may(role: Role, to: OrderState) -> Result<(), OrderError> {
    let may = match role {
        Role::Driver => matches!(to, OrderState::OutForDelivery | OrderState::Completed),
        Role::Owner | Role::Manager | Role::Staff => to != OrderState::Cancelled,
    };
    if may { Ok(()) } else { Err(OrderError::NotPermitted { to }) }
}

/// How the food reaches the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderKind {
    DineIn {
        table: TableId,
    },
    Pickup,
    /// `address` is `None` only once the guest's personal data was erased: a delivery is
    /// ordered with one ([`crate::restaurant::Restaurant::check_order`]).
    Delivery {
        #[serde(default)]
        address: Option<Address>,
        /// Needed where the restaurant delivers only to some postcodes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        postcode: Option<crate::delivery::Postcode>,
    },
}

/// Each kind is an object tagged by `type` with its own fields and no others, as serde reads it
/// (`deny_unknown_fields` on a tagged enum, which the derived schema would leave open).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for OrderKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::Ref;
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
        let kind = |tag: &str, fields: &[(&str, String, bool)]| {
            let mut object = ObjectBuilder::new()
                .property("type", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([tag])))
                .required("type")
                .additional_properties(Some(AdditionalProperties::FreeForm(false)));
            for (name, schema, required) in fields {
                object = object.property(*name, Ref::from_schema_name(schema.clone()));
                if *required {
                    object = object.required(*name);
                }
            }
            object
        };
        let postcode = crate::delivery::Postcode::name().into_owned();
        OneOfBuilder::new()
            .item(kind("dine_in", &[("table", TableId::name().into_owned(), true)]))
            .item(kind("pickup", &[]))
            // Not required by the schema so that a missing address or postcode gets the domain's
            // own answer (422 address_required, postcode_required); erased orders have none.
            .item(kind("delivery", &[("address", Address::name().into_owned(), false), ("postcode", postcode, false)]))
            .description(Some("How the food reaches the customer: at a table, picked up, or delivered."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for OrderKind {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push((TableId::name().into_owned(), TableId::schema()));
        schemas.push((Address::name().into_owned(), Address::schema()));
        schemas.push((crate::delivery::Postcode::name().into_owned(), crate::delivery::Postcode::schema()));
    }
}

impl OrderKind {
    pub fn name(&self) -> &'static str {
        match self {
            Self::DineIn { .. } => "dine-in",
            Self::Pickup => "pickup",
            Self::Delivery { .. } => "delivery",
        }
    }

    fn is_delivery(&self) -> bool {
        matches!(self, Self::Delivery { .. })
    }

    /// An order at some table: for what holds for every table alike (how it is paid).
    pub fn any_table() -> Self {
        Self::DineIn { table: TableId::parse("1").unwrap_or_else(|_| unreachable!("'1' is a table's label")) }
    }
}

/// Who made a change: recorded on every transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Customer,
    Staff { user: UserId, role: Role },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transition {
    pub from: OrderState,
    pub to: OrderState,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub at: Timestamp,
    pub actor: Actor,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderError {
    #[error("an order cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition { from: OrderState, to: OrderState },
    #[error("this account may not move an order to {}", to.as_str())]
    NotPermitted { to: OrderState },
    #[error("this order is not assigned to you")]
    NotAssigned,
    #[error("only delivery orders have a driver")]
    NotADelivery,
    #[error("the account assigned must be a driver")]
    NotADriver,
    #[error("a finished order cannot be reassigned")]
    Finished,
    /// Another driver took the delivery first.
    #[error("another driver has taken this delivery")]
    AlreadyTaken,
    #[error("the delivery is on its way already")]
    AlreadyOut,
    #[error("the order is still open; its guest's details are erased once it is finished")]
    NotFinished,
    #[error("a reason is given only when the restaurant rejects an order")]
    ReasonOnlyForRejection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub name: Name,
    #[serde(default)]
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub restaurant: Slug,
    /// Counts from 1 each local day: what the kitchen calls out.
    pub number: u32,
    /// The restaurant's local date when the order was placed.
    pub business_date: Date,
    pub kind: OrderKind,
    /// Who ordered; `None` once their personal data was erased.
    pub customer: Option<Customer>,
    pub lines: Vec<PricedLine>,
    /// What the delivery costs on top of the lines (part of the totals).
    pub delivery_fee: Option<Money>,
    pub totals: Totals,
    pub state: OrderState,
    pub history: Vec<Transition>,
    /// Why the restaurant rejected the order, in the words the guest is shown.
    pub reason: Option<Note>,
    /// When the customer's name, phone and address were erased (the lines and totals stay).
    #[serde(default)]
    pub erased_at: Option<Timestamp>,
    pub placed_at: Timestamp,
    /// When the order is to be ready (or at the door); `None` only for orders placed before
    /// restaurants promised times.
    pub promise: Option<Promise>,
    pub driver: Option<UserId>,
    /// The customer's bearer secret for following and cancelling the order.
    pub token: Token,
    pub version: u64,
    /// The guest's online payment; `None` for an order paid at the restaurant.
    pub payment: Option<Payment>,
}

/// What the order is placed with; the number and date come from the store.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub restaurant: Slug,
    pub kind: OrderKind,
    pub customer: Customer,
    pub priced: PricedCart,
    pub placed_at: Timestamp,
    pub business_date: Date,
    pub promise: Promise,
}

impl Order {
    /// The order `new` as placed under `id` (given by whoever keeps orders: the store makes it
    /// from the guest's idempotency key) with the day's `number`.
    pub fn place(id: OrderId, new: NewOrder, number: u32) -> Self {
        Self {
            id,
            restaurant: new.restaurant,
            number,
            business_date: new.business_date,
            kind: new.kind,
            customer: Some(new.customer),
            lines: new.priced.lines,
            delivery_fee: new.priced.delivery_fee,
            totals: new.priced.totals,
            state: OrderState::Placed,
            history: Vec::new(),
            reason: None,
            erased_at: None,
            placed_at: new.placed_at,
            promise: Some(new.promise),
            driver: None,
            token: Token::generate(),
            version: 1,
            payment: None,
        }
    }

    /// The order as paid online: the guest keeps the secret they followed the payment with.
    pub fn paid(self, payment: Payment, token: Token) -> Self {
        Self { payment: Some(payment), token, ..self }
    }

    /// Records a refund the provider made (once: a refund already recorded changes nothing).
    pub fn refunded(&mut self, refund: crate::payment::Refund) -> Result<(), crate::payment::RefundError> {
        let payment = self.payment.as_mut().ok_or(crate::payment::RefundError::NotTaken)?;
        if payment.refunds.iter().any(|known| known.id == refund.id) {
            return Ok(());
        }
        payment.may_refund(refund.amount, &refund.reason)?;
        payment.refunds.push(refund);
        self.version += 1;
        Ok(())
    }

    /// What must happen to the guest's money before the order moves to `to`: an authorization is
    /// captured when the kitchen accepts, and released when the order will not be served.
    pub fn money_step(&self, to: OrderState) -> Option<(MoneyStep, &Payment)> {
        let payment = self.payment.as_ref().filter(|p| p.state == PaymentState::Authorized)?;
        match to {
            OrderState::Accepted => Some((MoneyStep::Capture, payment)),
            OrderState::Rejected | OrderState::Cancelled => Some((MoneyStep::Release, payment)),
            _ => None,
        }
    }

    /// Moves the order to `to` if the state machine allows it and `actor` may do it.
    pub fn transition(&mut self, to: OrderState, actor: Actor, at: Timestamp) -> Result<(), OrderError> {
        self.permits(to, &actor)?;
        let settled = self.money_step(to).map(|(step, _)| match step {
            MoneyStep::Capture => PaymentState::Captured,
            MoneyStep::Release => PaymentState::Released,
        });
        if let (Some(settled), Some(payment)) = (settled, self.payment.as_mut()) {
            payment.state = settled;
        }
        let from = self.state;
        self.state = to;
        self.history.push(Transition { from, to, at, actor });
        self.version += 1;
        Ok(())
    }

    /// Moves the order like `transition`; a rejection may carry a reason the guest is shown.
    pub fn transition_because(
        &mut self,
        to: OrderState,
        actor: Actor,
        at: Timestamp,
        reason: Option<Note>,
    ) -> Result<(), OrderError> {
        // An empty reason is no reason (a form's field left empty).
        let reason = reason.filter(|r| !r.as_str().trim().is_empty());
        if reason.is_some() && to != OrderState::Rejected {
            return Err(OrderError::ReasonOnlyForRejection);
        }
        self.transition(to, actor, at)?;
        self.reason = reason;
        Ok(())
    }

    /// The states `actor` may move this order to now, in the state machine's order: the buttons
    /// a screen offers. Asked of the same rules `transition` applies, so the two cannot disagree.
    pub fn next_states(&self, actor: &Actor) -> Vec<OrderState> {
        OrderState::ALL.into_iter().filter(|to| self.permits(*to, actor).is_ok()).collect()
    }

    /// What the floor (owner, manager and staff, who have the same rights over an order) may move
    /// it to now: what a screen they share, the kitchen board, offers.
    pub fn next_for_floor(&self) -> Vec<OrderState> {
        OrderState::ALL
            .into_iter()
            .filter(|to| self.legal(*to).is_ok() && staff_may(Role::Staff, *to).is_ok())
            .collect()
    }

    fn permits(&self, to: OrderState, actor: &Actor) -> Result<(), OrderError> {
        self.legal(to)?;
        match actor {
            Actor::Customer if to != OrderState::Cancelled => Err(OrderError::NotPermitted { to }),
            Actor::Customer => Ok(()),
            Actor::Staff { role, user } => {
                staff_may(*role, to)?;
                if *role == Role::Driver && self.driver.as_ref() != Some(user) {
                    return Err(OrderError::NotAssigned);
                }
                Ok(())
            }
        }
    }

    /// Whether the state machine has an edge from here to `to` for this kind of order.
    fn legal(&self, to: OrderState) -> Result<(), OrderError> {
        let from = self.state;
        if edge(from, to, &self.kind) { Ok(()) } else { Err(OrderError::IllegalTransition { from, to }) }
    }

    /// The states an order of this kind passes through when it is served, in order: the steps a
    /// guest's page shows. Walked along the state machine's own edges.
    pub fn steps(&self) -> Vec<OrderState> {
        let mut steps = vec![OrderState::Placed];
        let served = |to: &OrderState| !matches!(to, OrderState::Rejected | OrderState::Cancelled);
        while let Some(next) = steps
            .last()
            .and_then(|from| OrderState::ALL.into_iter().filter(served).find(|to| edge(*from, *to, &self.kind)))
        {
            steps.push(next);
        }
        steps
    }

    /// Gives a delivery to a driver: anyone on the floor may (the cook at the pass knows who is
    /// back), until it is out for delivery.
    pub fn assign_driver(&mut self, driver: UserId, driver_role: Role, by: Role) -> Result<(), OrderError> {
        if !by.works_the_floor() {
            return Err(OrderError::NotPermitted { to: self.state });
        }
        self.give_to(driver, driver_role)
    }

    /// A driver takes a delivery that waits for one: once, however many drivers try at once
    /// (the store writes an order only over the version it read).
    pub fn take_delivery(&mut self, driver: UserId, driver_role: Role) -> Result<(), OrderError> {
        match &self.driver {
            Some(taker) if *taker == driver => Ok(()),
            Some(_) => Err(OrderError::AlreadyTaken),
            None => self.give_to(driver, driver_role),
        }
    }

    /// Whether the delivery waits for a driver: not given to one, neither out nor finished.
    pub fn waits_for_driver(&self) -> bool {
        self.kind.is_delivery()
            && self.driver.is_none()
            && !self.state.is_final()
            && self.state != OrderState::OutForDelivery
    }

    fn give_to(&mut self, driver: UserId, driver_role: Role) -> Result<(), OrderError> {
        if !self.kind.is_delivery() {
            return Err(OrderError::NotADelivery);
        }
        if driver_role != Role::Driver {
            return Err(OrderError::NotADriver);
        }
        if self.state.is_final() {
            return Err(OrderError::Finished);
        }
        // A delivery on its way stays with the driver carrying it.
        if self.state == OrderState::OutForDelivery {
            return Err(OrderError::AlreadyOut);
        }
        self.driver = Some(driver);
        self.version += 1;
        Ok(())
    }

    /// Forgets who ordered (name, phone, delivery address) and keeps what was sold, for the
    /// books. Only a finished order may be erased: an open one still has to reach its guest.
    pub fn erase_personal_data(&mut self, at: Timestamp) -> Result<(), OrderError> {
        if !self.state.is_final() {
            return Err(OrderError::NotFinished);
        }
        self.forget_guest(at);
        Ok(())
    }

    /// Erases as the retention period requires: whatever the state, as an order still open a
    /// whole period after its day will not be served, and its guest's data must not outlive it.
    pub fn erase_after_retention(&mut self, at: Timestamp) {
        self.forget_guest(at);
    }

    fn forget_guest(&mut self, at: Timestamp) {
        if self.erased_at.is_none() {
            self.customer = None;
            if let OrderKind::Delivery { address, postcode } = &mut self.kind {
                *address = None;
                *postcode = None;
            }
            self.erased_at = Some(at);
            self.version += 1;
        }
    }

    /// The later slot whose place this order gave back with its last change: a scheduled order
    /// cancelled or rejected just now. The store counts it out of the slot in the same write.
    pub fn slot_given_back(&self) -> Option<Promise> {
        let scheduled = self.promise.filter(|p| p.scheduled)?;
        let last = self.history.last()?;
        let refused = matches!(last.to, OrderState::Cancelled | OrderState::Rejected) && !last.from.is_final();
        (refused && last.to == self.state).then_some(scheduled)
    }

    /// When the order entered its current state.
    pub fn updated_at(&self) -> Timestamp {
        self.history.last().map_or(self.placed_at, |t| t.at)
    }
}

/// What anyone allowed to see an order is shown of it, over HTTP and live alike: every field but
/// the customer's secret token (listed one by one so a new secret is never sent by default), and
/// the moves the viewer may make next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: OrderId,
    pub restaurant: Slug,
    pub number: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::LocalDate))]
    pub business_date: Date,
    pub kind: OrderKind,
    /// Who ordered; absent once their personal data was erased.
    pub customer: Option<Customer>,
    pub lines: Vec<PricedLine>,
    /// What the delivery costs on top of the lines (part of the totals); absent when free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_fee: Option<Money>,
    pub totals: Totals,
    pub state: OrderState,
    pub history: Vec<HistoryEntry>,
    /// Why the restaurant rejected the order, when it said.
    pub reason: Option<Note>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::Instant>))]
    pub erased_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub placed_at: Timestamp,
    /// When the order is to be ready (or at the door); absent on orders placed before restaurants
    /// promised times.
    pub promise: Option<Promise>,
    /// The driver's account; absent when a guest looks.
    pub driver: Option<UserId>,
    pub version: u64,
    /// The states the viewer may move the order to now (the buttons to offer); empty when none.
    pub next: Vec<OrderState>,
    /// The states this kind of order passes through when it is served, in order (the steps a
    /// guest's page shows).
    #[serde(default)]
    pub steps: Vec<OrderState>,
    /// How much was paid online and where that money stands; absent when paid at the restaurant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<PaidSeen>,
}

/// An order's online payment as anyone allowed to see the order is shown it (not the provider's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaidSeen {
    /// What was authorized (and, once taken, taken): the order's total and the tip.
    pub amount: Money,
    pub state: PaymentState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<Money>,
    /// How the guest paid, when the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<crate::payment::PaidWith>,
    /// What was given back, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refunds: Vec<crate::payment::Refund>,
}

/// One change in an order's history as its viewer is shown it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub from: OrderState,
    pub to: OrderState,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub at: Timestamp,
    pub actor: ActorSeen,
}

/// Who made a change: staff see which account, a guest only which role ("the kitchen").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActorSeen {
    Customer,
    Staff {
        role: Role,
        /// The staff account; absent when a guest looks.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<UserId>,
    },
}

impl OrderView {
    /// The order as `viewer` sees it.
    pub fn seen_by(order: Order, viewer: &Actor) -> Self {
        let next = order.next_states(viewer);
        Self::with_next(order, next, matches!(viewer, Actor::Staff { .. }))
    }

    /// The order as a screen the whole floor shares (the kitchen board) sees it.
    pub fn seen_by_floor(order: Order) -> Self {
        let next = order.next_for_floor();
        Self::with_next(order, next, true)
    }

    fn with_next(o: Order, next: Vec<OrderState>, staff: bool) -> Self {
        let steps = o.steps();
        let history = o
            .history
            .into_iter()
            .map(|t| HistoryEntry {
                from: t.from,
                to: t.to,
                at: t.at,
                actor: match t.actor {
                    Actor::Customer => ActorSeen::Customer,
                    Actor::Staff { user, role } => ActorSeen::Staff { role, user: staff.then_some(user) },
                },
            })
            .collect();
        Self {
            steps,
            id: o.id,
            restaurant: o.restaurant,
            number: o.number,
            business_date: o.business_date,
            kind: o.kind,
            customer: o.customer,
            lines: o.lines,
            delivery_fee: o.delivery_fee,
            totals: o.totals,
            state: o.state,
            history,
            reason: o.reason,
            erased_at: o.erased_at,
            placed_at: o.placed_at,
            promise: o.promise,
            // Staff ids are the restaurant's own: a guest sees that a driver has the order by its
            // state, never which account.
            driver: o.driver.filter(|_| staff),
            version: o.version,
            next,
            paid: o.payment.map(|p| PaidSeen {
                amount: p.amount,
                state: p.state,
                tip: p.tip,
                method: p.method,
                refunds: p.refunds,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{order_of_kind, staff};
    use OrderState::*;

    fn now() -> Timestamp {
        "2026-11-23T12:00:00Z".parse().expect("timestamp")
    }

    fn pickup() -> OrderKind {
        OrderKind::Pickup
    }

    fn delivery() -> OrderKind {
        OrderKind::Delivery { address: Some(Address::parse("Hauptstr. 1").expect("address")), postcode: None }
    }

    /// Every edge of the diagram above, and nothing else.
    fn legal_edges(kind: &OrderKind) -> Vec<(OrderState, OrderState)> {
        let mut edges = vec![
            (Placed, Accepted),
            (Placed, Rejected),
            (Placed, Cancelled),
            (Accepted, Preparing),
            (Preparing, Ready),
        ];
        if kind.is_delivery() {
            edges.extend([(Ready, OutForDelivery), (OutForDelivery, Completed)]);
        } else {
            edges.push((Ready, Completed));
        }
        edges
    }

    fn order_in(state: OrderState, kind: OrderKind) -> Order {
        let mut order = order_of_kind(kind);
        order.state = state;
        order
    }

    fn actor_for(to: OrderState) -> Actor {
        if to == Cancelled { Actor::Customer } else { staff(Role::Staff) }
    }

    #[test]
    fn the_next_states_are_exactly_the_transitions_that_succeed() {
        let driver = UserId::generate();
        let actors = [
            Actor::Customer,
            staff(Role::Staff),
            staff(Role::Manager),
            Actor::Staff { user: driver.clone(), role: Role::Driver },
        ];
        for kind in [pickup(), delivery()] {
            for from in OrderState::ALL {
                let mut order = order_in(from, kind.clone());
                order.driver = Some(driver.clone());
                for actor in &actors {
                    let succeeding: Vec<OrderState> = OrderState::ALL
                        .into_iter()
                        .filter(|to| order.clone().transition(*to, actor.clone(), now()).is_ok())
                        .collect();
                    assert_eq!(order.next_states(actor), succeeding, "{from:?} for {actor:?}");
                }
            }
        }
    }

    #[test]
    fn the_floor_may_make_what_each_of_its_roles_may_make() {
        for kind in [pickup(), delivery()] {
            for from in OrderState::ALL {
                let order = order_in(from, kind.clone());
                for role in [Role::Owner, Role::Manager, Role::Staff] {
                    assert_eq!(order.next_for_floor(), order.next_states(&staff(role)), "{from:?} for {role:?}");
                }
            }
        }
    }

    #[test]
    fn a_new_order_offers_the_kitchen_accept_and_reject_and_its_guest_cancel() {
        let order = order_in(Placed, pickup());
        assert_eq!(order.next_states(&staff(Role::Staff)), vec![Accepted, Rejected]);
        assert_eq!(order.next_states(&Actor::Customer), vec![Cancelled]);
    }

    #[test]
    fn every_legal_transition_is_allowed_and_stamped() {
        for kind in [pickup(), delivery()] {
            for (from, to) in legal_edges(&kind) {
                let mut order = order_of_kind(kind.clone());
                order.state = from;
                let actor = actor_for(to);
                order.transition(to, actor.clone(), now()).unwrap_or_else(|e| panic!("{from:?} -> {to:?}: {e}"));
                assert_eq!(order.state, to);
                assert_eq!(order.history.last(), Some(&Transition { from, to, at: now(), actor }));
            }
        }
    }

    #[test]
    fn every_other_transition_is_illegal_and_changes_nothing() {
        for kind in [pickup(), delivery()] {
            let legal = legal_edges(&kind);
            for from in OrderState::ALL {
                for to in OrderState::ALL {
                    if legal.contains(&(from, to)) {
                        continue;
                    }
                    let mut order = order_of_kind(kind.clone());
                    order.state = from;
                    let before = order.clone();
                    assert_eq!(
                        order.transition(to, actor_for(to), now()),
                        Err(OrderError::IllegalTransition { from, to })
                    );
                    assert_eq!(order, before);
                }
            }
        }
    }

    #[test]
    fn a_delivery_is_served_through_its_drive_and_every_other_order_straight_from_ready() {
        assert_eq!(order_of_kind(delivery()).steps(), [Placed, Accepted, Preparing, Ready, OutForDelivery, Completed]);
        assert_eq!(order_of_kind(pickup()).steps(), [Placed, Accepted, Preparing, Ready, Completed]);
    }

    #[test]
    fn a_customer_may_only_cancel() {
        let mut order = order_of_kind(pickup());
        assert_eq!(order.transition(Accepted, Actor::Customer, now()), Err(OrderError::NotPermitted { to: Accepted }));
    }

    #[test]
    fn a_later_order_gives_its_slot_back_when_cancelled_and_an_order_for_now_has_none() {
        let later = || {
            let mut order = order_of_kind(pickup());
            order.promise = order.promise.map(|p| Promise { scheduled: true, ..p });
            order
        };
        let mut cancelled = later();
        cancelled.transition(Cancelled, Actor::Customer, now()).expect("cancel");
        assert_eq!(cancelled.slot_given_back(), cancelled.promise);
        let mut accepted = later();
        accepted.transition(Accepted, staff(Role::Staff), now()).expect("accept");
        assert_eq!(accepted.slot_given_back(), None);
        let mut soon = order_of_kind(pickup());
        soon.transition(Cancelled, Actor::Customer, now()).expect("cancel");
        assert_eq!(soon.slot_given_back(), None);
    }

    #[test]
    fn staff_may_not_cancel_for_the_customer() {
        let mut order = order_of_kind(pickup());
        assert_eq!(
            order.transition(Cancelled, staff(Role::Manager), now()),
            Err(OrderError::NotPermitted { to: Cancelled })
        );
    }

    #[test]
    fn a_customer_cannot_cancel_once_accepted() {
        let mut order = order_of_kind(pickup());
        order.transition(Accepted, staff(Role::Staff), now()).expect("legal");
        assert_eq!(
            order.transition(Cancelled, Actor::Customer, now()),
            Err(OrderError::IllegalTransition { from: Accepted, to: Cancelled })
        );
    }

    #[test]
    fn a_driver_moves_only_deliveries_assigned_to_them() {
        let mut order = order_of_kind(delivery());
        order.state = Ready;
        let driver = staff(Role::Driver);
        assert_eq!(order.transition(OutForDelivery, driver.clone(), now()), Err(OrderError::NotAssigned));
        let Actor::Staff { user, .. } = driver.clone() else { unreachable!() };
        order.assign_driver(user, Role::Driver, Role::Manager).expect("manager assigns");
        order.transition(OutForDelivery, driver.clone(), now()).expect("assigned driver");
        order.transition(Completed, driver, now()).expect("assigned driver");
    }

    #[test]
    fn a_guest_sees_no_staff_account_in_the_order_and_staff_see_the_driver() {
        let mut order = order_of_kind(delivery());
        order.state = Ready;
        let driver = staff(Role::Driver);
        let Actor::Staff { user, .. } = driver.clone() else { unreachable!() };
        order.assign_driver(user.clone(), Role::Driver, Role::Manager).expect("manager assigns");
        order.transition(OutForDelivery, driver, now()).expect("assigned driver");

        let guest = OrderView::seen_by(order.clone(), &Actor::Customer);
        let floor = OrderView::seen_by_floor(order);

        assert_eq!(guest.driver, None);
        let text = serde_json::to_string(&guest).expect("json");
        assert!(!text.contains(user.as_str()), "{text}");
        assert_eq!(floor.driver, Some(user));
    }

    #[test]
    fn a_driver_may_not_accept_orders() {
        let mut order = order_of_kind(delivery());
        assert_eq!(
            order.transition(Accepted, staff(Role::Driver), now()),
            Err(OrderError::NotPermitted { to: Accepted })
        );
    }

    #[test]
    fn a_driver_takes_a_waiting_delivery_once_and_not_one_another_driver_took() {
        let mut order = order_of_kind(delivery());
        let (first, second) = (UserId::generate(), UserId::generate());
        assert!(order.waits_for_driver());
        order.take_delivery(first.clone(), Role::Driver).expect("taken");
        assert!(!order.waits_for_driver());
        assert_eq!(order.take_delivery(second, Role::Driver), Err(OrderError::AlreadyTaken));
        assert_eq!(order.take_delivery(first.clone(), Role::Driver), Ok(()), "taking one's own again changes nothing");
        assert_eq!(order.driver, Some(first));
    }

    #[test]
    fn a_cook_assigns_a_driver_and_a_delivery_on_its_way_keeps_its_driver() {
        let mut order = order_of_kind(delivery());
        let (driver, other) = (staff(Role::Driver), UserId::generate());
        let Actor::Staff { user, .. } = driver.clone() else { unreachable!() };
        order.assign_driver(user, Role::Driver, Role::Staff).expect("the cook assigns");
        for to in [Accepted, Preparing, Ready] {
            order.transition(to, staff(Role::Staff), now()).expect("the kitchen moves it on");
        }
        order.transition(OutForDelivery, driver, now()).expect("out");
        assert_eq!(order.assign_driver(other, Role::Driver, Role::Manager), Err(OrderError::AlreadyOut));
    }

    #[test]
    fn only_the_floor_assigns_drivers_and_only_to_drivers() {
        let mut order = order_of_kind(delivery());
        let user = UserId::generate();
        assert!(order.assign_driver(user.clone(), Role::Driver, Role::Driver).is_err(), "a driver takes, not assigns");
        assert_eq!(order.assign_driver(user.clone(), Role::Staff, Role::Owner), Err(OrderError::NotADriver));
        assert_eq!(
            order_of_kind(pickup()).assign_driver(user, Role::Driver, Role::Owner),
            Err(OrderError::NotADelivery)
        );
    }

    #[test]
    fn each_transition_raises_the_version() {
        let mut order = order_of_kind(pickup());
        order.transition(Accepted, staff(Role::Staff), now()).expect("legal");
        assert_eq!(order.version, 2);
    }

    #[test]
    fn an_open_order_keeps_its_guests_details_when_the_owner_asks_to_erase_them() {
        let mut order = order_in(Ready, delivery());
        assert_eq!(order.erase_personal_data(now()), Err(OrderError::NotFinished));
        assert!(order.customer.is_some());
    }

    #[test]
    fn a_finished_order_forgets_its_guest_and_address_and_keeps_its_lines_and_totals() {
        let mut order = order_in(Completed, delivery());
        let (lines, totals) = (order.lines.clone(), order.totals);
        order.erase_personal_data(now()).expect("erased");
        assert_eq!(order.customer, None);
        assert_eq!(order.kind, OrderKind::Delivery { address: None, postcode: None });
        assert_eq!((order.lines, order.totals, order.erased_at), (lines, totals, Some(now())));
    }

    #[test]
    fn erasing_twice_changes_the_order_once() {
        let mut order = order_in(Completed, pickup());
        order.erase_after_retention(now());
        order.erase_after_retention(now());
        assert_eq!(order.version, 2);
    }

    fn paid_order() -> Order {
        let payment = crate::payment::Payment {
            intent: crate::payment::ProviderId::parse("pi_1", "pi_").expect("id"),
            account: crate::payment::ProviderId::parse("acct_1", "acct_").expect("id"),
            amount: order_of_kind(pickup()).totals.total,
            fee: order_of_kind(pickup()).totals.total,
            state: PaymentState::Authorized,
            refunds: Vec::new(),
            tip: None,
            method: None,
        };
        let order = order_of_kind(pickup());
        let token = order.token.clone();
        order.paid(payment, token)
    }

    #[test]
    fn accepting_a_paid_order_captures_its_payment() {
        let mut order = paid_order();
        assert!(matches!(order.money_step(Accepted), Some((MoneyStep::Capture, _))));
        order.transition(Accepted, staff(Role::Staff), Timestamp::UNIX_EPOCH).expect("accepted");
        assert_eq!(order.payment.as_ref().map(|p| p.state), Some(PaymentState::Captured));
        assert_eq!(order.money_step(Preparing), None, "money is taken once");
    }

    #[test]
    fn a_paid_order_that_is_not_served_has_its_payment_released() {
        for (to, actor) in [(Rejected, staff(Role::Staff)), (Cancelled, Actor::Customer)] {
            let mut order = paid_order();
            assert!(matches!(order.money_step(to), Some((MoneyStep::Release, _))));
            order.transition(to, actor, Timestamp::UNIX_EPOCH).expect("moved");
            assert_eq!(order.payment.as_ref().map(|p| p.state), Some(PaymentState::Released));
        }
    }

    #[test]
    fn an_order_paid_at_the_restaurant_moves_without_touching_money() {
        assert_eq!(order_of_kind(pickup()).money_step(Accepted), None);
    }
}
