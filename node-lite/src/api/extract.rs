//! Extractors whose rejections are the API's JSON errors (axum's own answer in plain text).
//!
//! - [`ApiJson`]: a JSON body, whatever its `Content-Type` (curl's `-d` sends
//!   `application/x-www-form-urlencoded`); malformed JSON or a missing field is a 400 naming
//!   the problem, a body over the limit a 413.
//! - [`Body`]: the raw bytes of a body, with the same limit.
//! - [`ApiPath`], [`ApiQuery`]: path segments and query strings; a value of the wrong type or an
//!   unknown query parameter is a 400.

use super::AppState;
use super::error::HttpError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The raw body, at most [`ApiConfig::body_limit`](super::ApiConfig::body_limit) bytes.
pub struct Body(pub Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(Body(bytes)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(HttpError::payload_too_large(state.config.body_limit))
            }
            Err(e) => Err(HttpError::bad_request(format!(
                "cannot read the body: {}",
                e.body_text()
            ))),
        }
    }
}

/// A JSON body of type `T`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let Body(bytes) = Body::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| HttpError::bad_request(format!("bad JSON body: {e}")))
    }
}

/// Path parameters of type `T`.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiPath<T> {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| HttpError::bad_request(e.body_text()))
    }
}

/// Query parameters of type `T` (declare it `deny_unknown_fields` to refuse typos).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| HttpError::bad_request(e.body_text()))
    }
}
