//! `/v1/openapi.json`, generated from the handlers' annotations.

use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{accounts, cart, health, menu, orders, reports, reservations, staff};
use crate::state::AppState;

#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Bistro API", description = "Restaurant ordering: menus, carts, orders, reservations and staff accounts. Every error is RFC 9457 problem+json with a stable `code`."),
    paths(
        health::health,
        accounts::create_restaurant, accounts::get_restaurant, accounts::update_restaurant, accounts::login, accounts::me,
        accounts::change_own_password, accounts::logout_everywhere, staff::list_staff, staff::add_staff, staff::change_staff, staff::remove_staff,
        staff::reset_password, staff::hand_over,
        menu::read_menu, menu::read_item, menu::create_category, menu::read_category, menu::update_category, menu::delete_category,
        menu::create_item, menu::update_item, menu::set_sold_out, menu::delete_item, menu::request_upload,
        cart::open_cart, cart::read_cart, cart::add_line, cart::replace_line, cart::remove_line,
        orders::place_order, orders::later_slots, reports::sales_report, orders::list_orders, orders::read_order, orders::cancel_order, orders::move_order, orders::assign_driver, orders::erase_order,
        reservations::free_slots, reservations::book, reservations::list_reservations, reservations::read_reservation,
        reservations::cancel_reservation, reservations::set_status, reservations::erase_reservation,
    ),
    modifiers(&BearerAuth, &ProblemContentType),
    tags((name = "menu"), (name = "cart"), (name = "orders"), (name = "reservations"), (name = "accounts"), (name = "health"))
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
}
