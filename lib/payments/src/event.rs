//! The events Bistro reads from Stripe's webhooks, and nothing more of them: an event is read
//! only after its signature is checked (`webhook::verify`).

use serde::{Deserialize, Serialize};

/// An event as Stripe delivers it: an id (to handle it once), when it was made (to let an older
/// word arrive late without undoing a newer one), the connected account it happened on, and what
/// it is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub data: Data,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Data {
    pub object: serde_json::Value,
}

/// What an event tells Bistro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happened {
    /// The guest paid on a hosted checkout (authorized, to be captured on acceptance).
    CheckoutCompleted { checkout: String, restaurant: String, session: String, intent: String },
    /// The checkout lapsed unpaid.
    CheckoutExpired { checkout: String, restaurant: String, session: String },
    /// A connected account's ability to take payments may have changed.
    AccountUpdated { account: String, ready: bool },
    /// Anything else: acknowledged and left alone.
    Other,
}

impl Event {
    /// What this event says, read from its object.
    pub fn happened(&self) -> Happened {
        let object = &self.data.object;
        let text = |field: &str| object.get(field).and_then(|v| v.as_str()).map(str::to_owned);
        let meta =
            |field: &str| object.pointer(&format!("/metadata/{field}")).and_then(|v| v.as_str()).map(str::to_owned);
        let checkout = || Some((meta("checkout")?, meta("restaurant")?, text("id")?));
        match self.kind.as_str() {
            "checkout.session.completed" => match (checkout(), text("payment_intent"), text("status")) {
                (Some((checkout, restaurant, session)), Some(intent), Some(status)) if status == "complete" => {
                    Happened::CheckoutCompleted { checkout, restaurant, session, intent }
                }
                _ => Happened::Other,
            },
            "checkout.session.expired" => match checkout() {
                Some((checkout, restaurant, session)) => Happened::CheckoutExpired { checkout, restaurant, session },
                None => Happened::Other,
            },
            "account.updated" => match text("id") {
                Some(account) => {
                    let flag = |field: &str| object.get(field).and_then(serde_json::Value::as_bool).unwrap_or(false);
                    Happened::AccountUpdated { account, ready: flag("charges_enabled") && flag("details_submitted") }
                }
                None => Happened::Other,
            },
            _ => Happened::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn event(kind: &str, object: serde_json::Value) -> Event {
        Event {
            id: "evt_1".into(),
            kind: kind.into(),
            created: 1,
            account: Some("acct_1".into()),
            data: Data { object },
        }
    }

    #[test]
    fn a_completed_checkout_names_its_order_restaurant_and_payment() {
        let object = serde_json::json!({"id": "cs_1", "status": "complete", "payment_intent": "pi_1",
            "metadata": {"checkout": "c1", "restaurant": "roma"}});
        assert_eq!(
            event("checkout.session.completed", object).happened(),
            Happened::CheckoutCompleted {
                checkout: "c1".into(),
                restaurant: "roma".into(),
                session: "cs_1".into(),
                intent: "pi_1".into()
            }
        );
    }

    #[test]
    fn a_checkout_not_opened_by_bistro_is_left_alone() {
        let object = serde_json::json!({"id": "cs_1", "status": "complete", "payment_intent": "pi_1"});
        assert_eq!(event("checkout.session.completed", object).happened(), Happened::Other);
    }

    #[test]
    fn an_account_is_ready_once_it_can_charge_and_gave_its_details() {
        let ready = serde_json::json!({"id": "acct_1", "charges_enabled": true, "details_submitted": true});
        let pending = serde_json::json!({"id": "acct_1", "charges_enabled": false, "details_submitted": true});
        assert_eq!(
            event("account.updated", ready).happened(),
            Happened::AccountUpdated { account: "acct_1".into(), ready: true }
        );
        assert_eq!(
            event("account.updated", pending).happened(),
            Happened::AccountUpdated { account: "acct_1".into(), ready: false }
        );
    }
}
