//! `/v1/openapi.json`, generated from the handlers' annotations.

pub mod problem;

use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    accounts, cart, checkouts, deliveries, exports, health, menu, option_groups, orders, pace, payments, refunds,
    reports, reservations, staff,
};
use crate::state::AppState;

#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Bistro API", description = "Restaurant ordering: menus, carts, orders, reservations and staff accounts. Every error is RFC 9457 problem+json with a stable `code`."),
    paths(
        health::health,
        accounts::create_restaurant, accounts::get_restaurant, accounts::update_restaurant, accounts::login, accounts::me,
        accounts::change_own_password, accounts::logout_everywhere, pace::set_pace, staff::list_staff, staff::list_drivers, staff::add_staff, staff::change_staff, staff::remove_staff,
        staff::reset_password, staff::hand_over,
        menu::read_menu, menu::read_item, menu::create_category, menu::read_category, menu::update_category, menu::delete_category,
        menu::create_item, menu::update_item, menu::set_sold_out, menu::delete_item, menu::request_upload,
        option_groups::list_groups, option_groups::create_group, option_groups::change_group, option_groups::delete_group,
        cart::open_cart, cart::issue_device, cart::read_cart, cart::add_line, cart::replace_line, cart::remove_line,
        orders::place_order, orders::later_slots, reports::sales_report, orders::list_orders, orders::read_order, orders::cancel_order, orders::move_order, orders::assign_driver, deliveries::waiting_deliveries, deliveries::take_delivery, orders::erase_order,
        reservations::free_slots, reservations::book, reservations::list_reservations, reservations::read_reservation,
        reservations::cancel_reservation, reservations::set_status, reservations::erase_reservation,
        exports::export, exports::orders_csv,
        checkouts::read_checkout, refunds::refund_order, payments::stripe_events, payments::payment_account, payments::connect, payments::refresh,
    ),
    modifiers(&BearerAuth, &ProblemContentType),
    tags((name = "menu"), (name = "cart"), (name = "orders"), (name = "reservations"), (name = "accounts"), (name = "exports"), (name = "payments"), (name = "health"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Error bodies are `application/problem+json` (RFC 9457), not plain JSON: say so for every 4xx/5xx.
struct ProblemContentType;

impl Modify for ProblemContentType {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                for (status, response) in operation.responses.responses.iter_mut() {
                    let utoipa::openapi::RefOr::T(response) = response else { continue };
                    if status.starts_with('4') || status.starts_with('5') {
                        if let Some(content) = response.content.shift_remove("application/json") {
                            response.content.insert("application/problem+json".to_owned(), content);
                        }
                    }
                }
            }
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/openapi.json", get(|| async { crate::extract::Json(ApiDoc::openapi()) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn references(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                    found.push(target.clone());
                }
                map.values().for_each(|v| references(v, found));
            }
            serde_json::Value::Array(list) => list.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_in_the_document_names_a_schema_it_holds() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let mut found = Vec::new();
        references(&document, &mut found);
        let missing: Vec<_> = found
            .iter()
            .filter(|target| {
                let name = target.trim_start_matches("#/components/schemas/");
                document["components"]["schemas"].get(name).is_none()
            })
            .collect();
        assert!(!found.is_empty());
        assert_eq!(missing, Vec::<&String>::new());
    }

    fn document() -> serde_json::Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
    }

    fn bounds(schema: &serde_json::Value) -> (Option<u64>, Option<u64>) {
        (schema["minimum"].as_u64(), schema["maximum"].as_u64())
    }

    #[test]
    fn a_bookings_party_is_documented_within_the_largest_room_a_restaurant_can_have() {
        use bistro_domain::reservation::{MAX_COVERS_PER_SLOT, ReservationSettings};
        let document = document();
        let booking = &document["components"]["schemas"]["Booking"]["properties"]["party"];
        let slots = document["paths"]["/v1/restaurants/{slug}/reservations/slots"]["get"]["parameters"]
            .as_array()
            .and_then(|params| params.iter().find(|p| p["name"] == "party"))
            .map(|p| p["schema"].clone())
            .unwrap_or_default();
        let parser = (Some(1), Some(u64::from(MAX_COVERS_PER_SLOT)));
        assert_eq!(bounds(booking), parser);
        assert_eq!(bounds(&slots), parser);
        // No restaurant can take a party past the bound, nor one of none.
        assert!(ReservationSettings::new(30, 90, MAX_COVERS_PER_SLOT, 1, MAX_COVERS_PER_SLOT, 0, 30).is_ok());
        assert!(ReservationSettings::new(30, 90, MAX_COVERS_PER_SLOT + 1, 1, MAX_COVERS_PER_SLOT + 1, 0, 30).is_err());
        assert!(ReservationSettings::new(30, 90, 10, 0, 10, 0, 30).is_err());
    }

    #[test]
    fn day_starts_is_documented_as_optional_never_as_null() {
        let document = document();
        let settings = &document["components"]["schemas"]["Restaurant"];
        let day_starts = &settings["properties"]["day_starts"];
        assert!(day_starts.is_object(), "{settings}");
        assert!(!day_starts.to_string().contains("null"), "{day_starts}");
        let required = settings["required"].as_array().cloned().unwrap_or_default();
        assert!(!required.contains(&serde_json::Value::from("day_starts")));
    }

    #[test]
    fn a_problems_code_is_documented_as_the_list_of_codes_the_api_sends() {
        let document = document();
        let code = &document["components"]["schemas"]["ErrorCode"];
        let listed: Vec<&str> = code["enum"].as_array().into_iter().flatten().filter_map(|c| c.as_str()).collect();
        let sent: Vec<&str> = crate::code::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, sent);
    }
}
