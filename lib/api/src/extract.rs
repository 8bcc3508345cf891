//! Request extractors whose failures are problem+json like every other error.

use crate::error::ErrorCode;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body: malformed JSON is a 400, a well-formed body that does not fit (unknown field,
/// invalid value) a 422, an oversized one a 413. As an answer, the value written as JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Written into a `Vec`, which takes serde_json's many small writes inline; axum's own `Json`
/// writes through a `BytesMut` writer, and its calls showed in every answer's instructions.
impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(error) => ApiError::Internal(format!("cannot write the answer: {error}")).into_response(),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request(ErrorCode::UnreadableBody, rejection.body_text())
            }
        })?;
        // Every body this API takes is an object; serde would also fill a struct from an array.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .map_err(|e| ApiError::bad_request(ErrorCode::MalformedJson, e.to_string()))?;
            return Err(ApiError::unprocessable(ErrorCode::InvalidBody, "send the body as a JSON object: {…}"));
        }
        // A key twice in one object would reach a struct's field (or a map) with its last value
        // when read through `serde_json::Value` below: a body says each thing once.
        if let Some(key) = duplicated_key(&bytes) {
            return Err(ApiError::InvalidBody { field: Some(key.clone()), detail: format!("`{key}` is given twice") });
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            // Nearly every body fits as sent; one that did not is read once more, with its whole
            // numbers as integers and its path tracked, so only those requests pay for it. The
            // answer names the field and says what is wrong, without the parser's line and column.
            Err(JsonRejection::JsonDataError(_)) => {
                let mut value: serde_json::Value = serde_json::from_slice(&bytes)
                    .map_err(|e| ApiError::bad_request(ErrorCode::MalformedJson, e.to_string()))?;
                whole_numbers_as_integers(&mut value);
                serde_path_to_error::deserialize(value).map(Self).map_err(|e| {
                    let field = e.path().to_string();
                    let field = (field != ".").then_some(field);
                    ApiError::InvalidBody { field, detail: e.into_inner().to_string() }
                })
            }
            Err(JsonRejection::JsonSyntaxError(e)) => {
                Err(ApiError::bad_request(ErrorCode::MalformedJson, e.body_text()))
            }
            Err(other) => Err(ApiError::bad_request(ErrorCode::UnreadableBody, other.body_text())),
        }
    }
}

/// The first key found twice in one object anywhere in `bytes`; `None` for a body without one
/// (or one that is no JSON, which the reading after says).
fn duplicated_key(bytes: &[u8]) -> Option<String> {
    use serde::de::DeserializeSeed as _;
    let mut found = None;
    let _ = Unique(&mut found).deserialize(&mut serde_json::Deserializer::from_slice(bytes));
    found
}

/// Walks a JSON value, stopping at the first object that holds a key twice (and keeping it).
struct Unique<'a>(&'a mut Option<String>);

impl<'de> serde::de::DeserializeSeed<'de> for Unique<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Unique<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while items.next_element_seed(Unique(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut fields: A) -> Result<(), A::Error> {
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = fields.next_key::<String>()? {
            if seen.contains(&key) {
                *self.0 = Some(key);
                return Err(serde::de::Error::custom("a key given twice"));
            }
            fields.next_value_seed(Unique(&mut *self.0))?;
            seen.push(key);
        }
        Ok(())
    }
}

/// `application/json`, or any `application/…+json`, parameters aside: what axum's own `Json` takes.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(essence) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
    else {
        return false;
    };
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// JSON has one number type: `5.0` is the integer 5 (JSON Schema says so too), and some clients
/// write every number that way. Whole numbers become integers before the body meets the domain's
/// integer fields, which would otherwise refuse them; any other number stays as it came.
/// Says whether it changed anything.
fn whole_numbers_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            let Some(float) = number.as_f64().filter(|f| number.is_f64() && f.fract() == 0.0) else { return false };
            // `as` saturates, so only a float that is exactly representable is converted.
            if float >= -(2f64.powi(63)) && float < 2f64.powi(63) {
                *number = serde_json::Number::from(float as i64);
            } else if float >= 0.0 && float < 2f64.powi(64) {
                *number = serde_json::Number::from(float as u64);
            } else {
                return false;
            }
            true
        }
        // Every number is visited (no short cut on the first change): all must be converted.
        Value::Array(items) => items.iter_mut().map(whole_numbers_as_integers).filter(|&changed| changed).count() > 0,
        Value::Object(fields) => {
            fields.values_mut().map(whole_numbers_as_integers).filter(|&changed| changed).count() > 0
        }
        Value::Null | Value::Bool(_) | Value::String(_) => false,
    }
}

/// A query string: anything that does not parse is a 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|e: QueryRejection| ApiError::bad_request(ErrorCode::InvalidQuery, e.body_text()))
    }
}

/// Parses a path segment into a domain id; an id that cannot exist names nothing.
pub fn id<T, E>(raw: &str, what: &'static str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, ApiError> {
    parse(raw).map_err(|_| ApiError::NotFound(what))
}

#[cfg(test)]
mod tests {
    use super::whole_numbers_as_integers;
    use serde_json::json;

    #[test]
    fn a_whole_number_written_as_a_float_becomes_an_integer() {
        let mut body = json!({"quantity": 2.0, "lines": [{"minor": -1250.0}]});
        assert!(whole_numbers_as_integers(&mut body));
        assert_eq!(body, json!({"quantity": 2, "lines": [{"minor": -1250}]}));
    }

    #[test]
    fn a_key_twice_in_one_object_is_found_at_any_depth_and_the_same_key_in_two_objects_is_not() {
        use super::duplicated_key;
        assert_eq!(duplicated_key(br#"{"quantity":1,"quantity":50}"#).as_deref(), Some("quantity"));
        assert_eq!(
            duplicated_key(br#"{"customer":{"name":"A"},"customer":{"name":"B"}}"#).as_deref(),
            Some("customer")
        );
        assert_eq!(duplicated_key(br#"{"lines":[{"item":"a","note":"x","note":"y"}]}"#).as_deref(), Some("note"));
        assert_eq!(duplicated_key(br#"{"a":{"name":"A"},"b":{"name":"B"},"c":[1,2.5,null,true,"s"]}"#), None);
    }

    #[test]
    fn a_fraction_stays_a_fraction_so_an_integer_field_still_refuses_it() {
        let mut body = json!({"quantity": 2.5});
        assert!(!whole_numbers_as_integers(&mut body));
        assert_eq!(body, json!({"quantity": 2.5}));
    }
}
