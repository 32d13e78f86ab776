//! Every failure the API answers: one HTTP status and a JSON body naming the problem.
//!
//! The body is always `{"error": "<kind>", "message": "<what went wrong>"}`, the shape
//! [`ApiError`] serialises to. The node's errors map to one status each:
//!
//! | [`ApiError`] | status | `error` |
//! |---|---|---|
//! | `BadRequest` | 400 | `bad_request` |
//! | `NotFound` | 404 | `not_found` |
//! | `NotAllowed` | 409 | `not_allowed` |
//! | `Refused` | 422 | `refused` |
//! | `Internal` | 500 | `internal` |
//!
//! and the HTTP layer adds 404 `not_found` (no such route), 405 `method_not_allowed` and 413
//! `payload_too_large` (a body over [`ApiConfig::body_limit`](super::ApiConfig::body_limit)).

use crate::node_api::ApiError;
use axum::Json;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// The JSON body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The kind: `bad_request`, `not_found`, `not_allowed`, `refused`, `internal`,
    /// `method_not_allowed` or `payload_too_large`.
    pub error: String,
    /// What went wrong, for a person.
    pub message: String,
}

/// An error response: a status and an [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// The status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
}

impl HttpError {
    fn new(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        HttpError {
            status,
            body: ErrorBody {
                error: error.to_string(),
                message: message.into(),
            },
        }
    }

    /// 400: what the client sent is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into()).into()
    }

    /// 500: the server failed; it keeps running.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::Internal(message.into()).into()
    }

    /// 413: the body is over the limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is over the {limit}-byte limit"),
        )
    }
}

/// The status an [`ApiError`] is answered with.
pub fn status_of(error: &ApiError) -> StatusCode {
    match error {
        ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::NotAllowed(_) => StatusCode::CONFLICT,
        ApiError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        let kind = match &e {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::NotAllowed(_) => "not_allowed",
            ApiError::Refused(_) => "refused",
            ApiError::Internal(_) => "internal",
        };
        let message = match e.clone() {
            ApiError::BadRequest(m)
            | ApiError::NotFound(m)
            | ApiError::NotAllowed(m)
            | ApiError::Refused(m)
            | ApiError::Internal(m) => m,
        };
        HttpError::new(status_of(&e), kind, message)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The answer to a path no route matches.
pub async fn no_route(method: Method, uri: Uri) -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {method} {}", uri.path()),
    )
}

/// The answer to a known path with a method it does not take.
pub async fn wrong_method(method: Method, uri: Uri) -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not take {method}", uri.path()),
    )
}
