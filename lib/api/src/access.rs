//! Who may call a route, settled before its handler runs. `Tenant` is the restaurant the path
//! names; `Staff`, `FloorStaff`, `Manager` and `Owner` are a valid staff token of exactly that
//! restaurant whose role is enough. A handler gets the restaurant only through one of these, so
//! it cannot forget the tenant check or the role check.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, RawPathParams};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use bistro_domain::ids::Slug;
use bistro_domain::restaurant::{Role, StaffIdentity};

use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// The path's `{slug}`: a restaurant slug that cannot exist names nothing (404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant(pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params =
            RawPathParams::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound("restaurant"))?;
        params
            .iter()
            .find_map(|(name, value)| (name == "slug").then(|| Slug::parse(value)))
            .and_then(Result::ok)
            .map(Self)
            .ok_or(ApiError::NotFound("restaurant"))
    }
}

/// Which roles a route lets in. The OpenAPI document names the same roles as the scopes of the
/// route's `bearer` requirement, and a test holds every route to what its document says.
pub trait Clearance: Send + Sync + 'static {
    /// Every role this clearance lets in, most powerful first.
    const ROLES: &'static [Role];
}

/// Any account of the restaurant, drivers included (they see only their own deliveries).
#[derive(Debug)]
pub enum AnyRole {}
/// Owners, managers and floor staff: everyone who sees every order and booking.
#[derive(Debug)]
pub enum WorksTheFloor {}
/// Owners and managers: menu, hours, tables, drivers.
#[derive(Debug)]
pub enum Manages {}
/// The owner alone: hiring.
#[derive(Debug)]
pub enum Hires {}
/// Drivers alone: taking a delivery.
#[derive(Debug)]
pub enum Drives {}

impl Clearance for AnyRole {
    const ROLES: &'static [Role] = &[Role::Owner, Role::Manager, Role::Staff, Role::Driver];
}
impl Clearance for WorksTheFloor {
    const ROLES: &'static [Role] = &[Role::Owner, Role::Manager, Role::Staff];
}
impl Clearance for Manages {
    const ROLES: &'static [Role] = &[Role::Owner, Role::Manager];
}
impl Clearance for Hires {
    const ROLES: &'static [Role] = &[Role::Owner];
}
impl Clearance for Drives {
    const ROLES: &'static [Role] = &[Role::Driver];
}

/// A signed-in account of the path's restaurant whose role passes `C`.
#[derive(Debug)]
pub struct Member<C: Clearance> {
    /// The restaurant, which is both the path's and the token's.
    pub slug: Slug,
    pub staff: StaffIdentity,
    clearance: PhantomData<C>,
}

pub type Staff = Member<AnyRole>;
pub type FloorStaff = Member<WorksTheFloor>;
pub type Manager = Member<Manages>;
pub type Owner = Member<Hires>;
pub type Driver = Member<Drives>;

impl<C: Clearance> FromRequestParts<AppState> for Member<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let staff = bearer(parts, state).await?;
        let Tenant(slug) = Tenant::from_request_parts(parts, state).await?;
        if staff.restaurant != slug {
            return Err(ApiError::Forbidden("this token belongs to another restaurant"));
        }
        if !C::ROLES.contains(&staff.role) {
            return Err(ApiError::Forbidden("your role does not allow this"));
        }
        Ok(Self { slug, staff, clearance: PhantomData })
    }
}

/// For routes guests use too: no `Authorization` header is a guest, a header is checked in full.
impl<C: Clearance> OptionalFromRequestParts<AppState> for Member<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Who the `Authorization: Bearer` token says the caller is, while its session lasts.
async fn bearer(parts: &Parts, state: &AppState) -> Result<StaffIdentity, ApiError> {
    const HOW: &str = "send 'Authorization: Bearer <token>'";
    let header = parts.headers.get(AUTHORIZATION).ok_or(ApiError::Unauthenticated(HOW))?;
    let token =
        header.to_str().ok().and_then(|value| value.strip_prefix("Bearer ")).ok_or(ApiError::Unauthenticated(HOW))?;
    let staff = state.auth.verify(token.trim()).await?;
    if !state.sessions.is_current(&state.repos, &staff).await? {
        return Err(ApiError::Unauthenticated("this login has ended; log in again"));
    }
    Ok(staff)
}

/// The `?token=` of a guest following their own order or booking.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    /// The guest's order or booking token, when not calling as staff. One that cannot be a
    /// token is refused, whoever calls.
    pub token: Option<bistro_domain::ids::Token>,
}

/// Who asks about one order or booking: staff of the path's restaurant whose role passes `C`, or
/// a guest, who sees it only with its own token.
#[derive(Debug)]
pub enum Caller<C: Clearance> {
    Staff(Member<C>),
    Guest { token: Option<bistro_domain::ids::Token> },
}

impl<C: Clearance> Caller<C> {
    /// Whether the caller may see a record whose guest secret is `secret`: staff when
    /// `staff_may` says so, a guest with the right token. Without it, the record might as well
    /// not exist (`what` is not found).
    pub fn may_see(
        &self,
        secret: &bistro_domain::ids::Token,
        what: &'static str,
        staff_may: impl FnOnce(&StaffIdentity) -> Result<(), ApiError>,
    ) -> Result<bistro_domain::order::Actor, ApiError> {
        match self {
            Self::Staff(member) => staff_may(&member.staff).map(|()| member.staff.actor()),
            Self::Guest { token: Some(token) } if secret.matches(token.as_str()) => {
                Ok(bistro_domain::order::Actor::Customer)
            }
            Self::Guest { .. } => Err(ApiError::NotFound(what)),
        }
    }
}

/// The path's restaurant and whoever asks about one of its orders or bookings.
#[derive(Debug)]
pub struct Asking<C: Clearance>(pub Slug, pub Caller<C>);

impl<C: Clearance> FromRequestParts<AppState> for Asking<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let member = <Member<C> as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let Tenant(slug) = Tenant::from_request_parts(parts, state).await?;
        let Query(TokenParam { token }) = Query::from_request_parts(parts, state).await?;
        Ok(Self(slug, member.map_or(Caller::Guest { token }, Caller::Staff)))
    }
}
