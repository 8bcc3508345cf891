//! Sales reports for managers: a business day or a range of them, from the stored orders, as JSON
//! or as CSV (one row per order, for a spreadsheet or the accountant). Served by the orders
//! function, whose data it reads.

use crate::error::ErrorCode;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bistro_domain::jiff::civil::Date;
use bistro_domain::jiff::{Timestamp, ToSpan};
use bistro_domain::money::Money;
use bistro_domain::order::Order;
use bistro_domain::report::{BookedRefund, SalesReport, sales};

use super::restaurant;
use crate::access::Manager;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::openapi::problem;
use crate::state::AppState;

/// The most days one report covers: a month, read day by day.
pub const MAX_REPORT_DAYS: i32 = 31;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The first business day (YYYY-MM-DD); today's when left out.
    #[param(value_type = Option<bistro_domain::schema::LocalDate>)]
    pub from: Option<Date>,
    /// The last business day, at most 31 days after `from`; `from` when left out.
    #[param(value_type = Option<bistro_domain::schema::LocalDate>)]
    pub to: Option<Date>,
    /// `csv` for one row per order instead of the report.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    Csv,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    #[schema(value_type = bistro_domain::schema::LocalDate)]
    pub from: Date,
    #[schema(value_type = bistro_domain::schema::LocalDate)]
    pub to: Date,
    pub time_zone: String,
    pub sales: SalesReport,
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/orders/report", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ReportQuery),
    security(("bearer" = ["owner", "manager"])),
    responses((status = 200, description = "The report, or with format=csv one row per order", content((Report = "application/json"), (String = "text/csv"))),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, (status = 422, description = "to before from, or more than 31 days", body = Problem), problem::TooMany))]
pub async fn sales_report(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    let from = query.from.unwrap_or_else(|| restaurant.business_day(Timestamp::now()));
    let to = query.to.unwrap_or(from);
    let days = from.until(to).map(|span| span.get_days()).unwrap_or(-1);
    if !(0..MAX_REPORT_DAYS).contains(&days) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidRange,
            "a report covers 1 to 31 days, from a day to a later one",
        ));
    }
    let orders = orders_of_days(&state, &slug, from, days).await?;
    let refunds = refunds_of_days(&state, &slug, from, days).await?;
    if query.format == Some(ReportFormat::Csv) {
        let name = format!("attachment; filename=\"{slug}-orders-{from}-{to}.csv\"");
        let headers =
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)];
        return Ok((headers, csv(&orders, &refunds, &restaurant.time_zone)).into_response());
    }
    let sales = sales(&orders, &refunds, restaurant.currency, &restaurant.time_zone);
    Ok(crate::extract::Json(Report { from, to, time_zone: restaurant.time_zone.name().to_owned(), sales })
        .into_response())
}

/// Every order of the `days` business days after `from` (and of `from`), day by day.
pub(crate) async fn orders_of_days(
    state: &AppState,
    slug: &bistro_domain::ids::Slug,
    from: Date,
    days: i32,
) -> Result<Vec<Order>, ApiError> {
    let mut orders: Vec<Order> = Vec::new();
    for offset in 0..=days {
        let day = from.checked_add(offset.days()).map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut cursor = None;
        loop {
            let (page, next) = state.repos.orders.of_day(slug, day, None, super::MAX_PAGE, cursor).await?;
            orders.extend(page);
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(orders)
}

/// The refunds made on the `days` business days after `from` (and on `from`), whatever day their
/// order was.
async fn refunds_of_days(
    state: &AppState,
    slug: &bistro_domain::ids::Slug,
    from: Date,
    days: i32,
) -> Result<Vec<BookedRefund>, ApiError> {
    let mut refunds = Vec::new();
    for offset in 0..=days {
        let day = from.checked_add(offset.days()).map_err(|e| ApiError::Internal(e.to_string()))?;
        refunds.extend(state.repos.orders.refunds_made(slug, day).await?);
    }
    Ok(refunds)
}

/// An amount in the currency's major units: Display writes "12.50 EUR" with the currency's own
/// decimals, and this is its number part.
fn amount(money: Money) -> String {
    money.to_string().split(' ').next().unwrap_or_default().to_owned()
}

const CSV_HEADER: &str = "business_day,number,placed_local,kind,state,currency,subtotal,delivery_fee,tax,tax_rate_percent,total,paid_by,payment_method,tip,platform_fee,customer,phone,lines\n";

/// One row per order (what a spreadsheet sums, and what was ordered by whom), then one per
/// refund made on the days asked for, under the day it was made: state `refund`, its amount and
/// the fee that came back negative, so a day's column sums are what the day kept. Amounts in the
/// currency's major units.
pub(crate) fn csv(orders: &[Order], refunds: &[BookedRefund], zone: &bistro_domain::hours::Zone) -> String {
    let mut out = String::from(CSV_HEADER);
    for order in orders {
        let kind = match order.kind {
            bistro_domain::order::OrderKind::DineIn { .. } => "dine_in",
            bistro_domain::order::OrderKind::Pickup => "pickup",
            bistro_domain::order::OrderKind::Delivery { .. } => "delivery",
        };
        let lines: Vec<String> = order
            .lines
            .iter()
            .map(|line| {
                let choices: Vec<&str> = line.choices.iter().map(|c| c.name.as_str()).collect();
                let choices = if choices.is_empty() { String::new() } else { format!(" ({})", choices.join(", ")) };
                format!("{} x {}{choices}", line.quantity.get(), line.name)
            })
            .collect();
        let customer = order.customer.as_ref();
        out += &[
            order.business_date.to_string(),
            order.number.to_string(),
            zone.at(order.placed_at).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            kind.to_owned(),
            order.state.as_str().to_owned(),
            order.totals.total.currency.to_string(),
            amount(order.totals.subtotal),
            order.delivery_fee.map(amount).unwrap_or_else(|| "0".into()),
            amount(order.totals.tax),
            (f64::from(order.totals.tax_rate.basis_points()) / 100.0).to_string(),
            amount(order.totals.total),
            paid_by(order).to_owned(),
            order.payment.as_ref().and_then(|p| p.method.as_ref()).map_or_else(String::new, method),
            order.payment.as_ref().and_then(|p| p.tip).map_or_else(String::new, amount),
            order.payment.as_ref().map_or_else(String::new, |p| amount(p.fee)),
            cell(customer.map_or("", |c| c.name.as_str())),
            cell(customer.and_then(|c| c.phone.as_ref()).map_or("", |p| p.as_str())),
            cell(&lines.join("; ")),
        ]
        .join(",");
        out.push('\n');
    }
    out += &refund_rows(refunds, zone);
    out
}

/// The refunds' rows: under the day each was made, the amount and the fee that came back negative.
fn refund_rows(refunds: &[BookedRefund], zone: &bistro_domain::hours::Zone) -> String {
    let mut out = String::new();
    for refund in refunds {
        let negative = |money: Money| amount(Money::new(-money.minor, money.currency));
        let empty = String::new;
        out += &[
            refund.made_on.to_string(),
            refund.number.to_string(),
            zone.at(refund.at).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            empty(),
            "refund".to_owned(),
            refund.amount.currency.to_string(),
            empty(),
            empty(),
            empty(),
            empty(),
            negative(refund.amount),
            "online".to_owned(),
            empty(),
            empty(),
            negative(refund.fee_returned),
            empty(),
            empty(),
            cell(&format!("order of {}", refund.order_day)),
        ]
        .join(",");
        out.push('\n');
    }
    out
}

fn paid_by(order: &Order) -> &'static str {
    if order.payment.is_some() { "online" } else { "at_restaurant" }
}

/// `card visa 4242`: the method as the provider names it.
fn method(paid: &bistro_domain::payment::PaidWith) -> String {
    [Some(paid.kind.as_str()), paid.brand.as_deref(), paid.last4.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cell as spreadsheets read it: quoted when it holds a comma, quote or line break, and never
/// starting with what a spreadsheet would take for a formula (a guest's name is the guest's).
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_cell_is_quoted_when_it_must_be_and_never_read_as_a_formula() {
        assert_eq!(cell("Ada"), "Ada");
        assert_eq!(cell("Smith, Ada"), "\"Smith, Ada\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+49 30 1234"), "'+49 30 1234");
    }
}
