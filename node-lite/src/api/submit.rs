//! Transactions in: signed ones (`POST /tx`, or many at once: `POST /txs`), ones a dev account
//! signs on the node (`POST /dev/tx`), and dry runs (`POST /call`).

use super::AppState;
use super::error::{ErrorBody, HttpError};
use super::extract::{ApiJson, Body};
use super::params;
use crate::node_api::{CallRequest, DevTxRequest, DryRunView, Hex32, check_batch_len};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};

/// The answer to a submitted transaction: its hash (poll `GET /tx/{hash}` or watch `/stream`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The transaction's hash.
    pub hash: Hex32,
}

/// The JSON form of `POST /tx`'s body.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxBody {
    /// The encoded signed transaction (hex).
    pub tx: String,
}

/// `POST /txs`'s body: the encoded signed transactions (hex), at most
/// [`MAX_SUBMIT_BATCH`](crate::node_api::MAX_SUBMIT_BATCH).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxsBody {
    /// The transactions, submitted in this order.
    pub txs: Vec<String>,
}

/// One transaction's answer in `POST /txs`: its hash, or the error `POST /tx` would have
/// answered for it alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchResult {
    /// In the mempool.
    Submitted(Submitted),
    /// Not taken: `bad_request` (not hex, does not decode) or `refused` (the mempool's reason).
    Error(ErrorBody),
}

/// The answer to `POST /txs`: one result per transaction, in the body's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedBatch {
    /// The results.
    pub results: Vec<BatchResult>,
}

/// How a `POST /tx` body carries the transaction, by its `Content-Type`.
fn transaction_bytes(headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, HttpError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "application/octet-stream" => Ok(body.to_vec()),
        "application/json" => {
            let json: TxBody = serde_json::from_slice(body)
                .map_err(|e| HttpError::bad_request(format!("bad JSON body: {e}")))?;
            hex_to_bytes(&json.tx)
        }
        _ => {
            let text = std::str::from_utf8(body)
                .map_err(|_| HttpError::bad_request("the body is neither raw bytes (send Content-Type: application/octet-stream) nor hex text"))?;
            hex_to_bytes(text)
        }
    }
}

fn hex_to_bytes(text: &str) -> Result<Vec<u8>, HttpError> {
    let digits = params::hex_bytes("tx", text)?;
    if digits.is_empty() {
        return Err(HttpError::bad_request("the transaction is empty"));
    }
    // `hex_bytes` checked the digits.
    hex::decode(digits).map_err(|e| HttpError::bad_request(format!("`tx` is not hex: {e}")))
}

/// `POST /tx`: submit a signed transaction — raw bytes (`application/octet-stream`), hex text
/// (any other type), or `{"tx": "<hex>"}` (`application/json`). 202 with its hash once the
/// mempool took it.
pub async fn submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<(StatusCode, Json<Submitted>), HttpError> {
    let tx = transaction_bytes(&headers, &body)?;
    let hash = s.call(move |n| n.submit(&tx)).await?;
    Ok((StatusCode::ACCEPTED, Json(Submitted { hash })))
}

/// `POST /txs`: submit signed transactions, `{"txs": ["<hex>", …]}`, at most
/// [`MAX_SUBMIT_BATCH`](crate::node_api::MAX_SUBMIT_BATCH) (400 past it, nothing submitted; the
/// body limit applies as everywhere, 413). 200 with one result per transaction: a refused one
/// does not stop the others.
pub async fn submit_batch(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<TxsBody>,
) -> Result<Json<SubmittedBatch>, HttpError> {
    check_batch_len(body.txs.len())?;
    let decoded: Vec<Result<Vec<u8>, HttpError>> =
        body.txs.iter().map(|t| hex_to_bytes(t)).collect();
    let bytes: Vec<Vec<u8>> = decoded
        .iter()
        .filter_map(|d| d.as_ref().ok().cloned())
        .collect();
    let submitted = s.call(move |n| n.submit_batch(&bytes)).await?;
    let mut submitted = submitted.into_iter();
    let results = decoded
        .into_iter()
        .map(|d| {
            let answer = d.and_then(|_| match submitted.next() {
                Some(r) => r.map_err(HttpError::from),
                None => Err(HttpError::internal("the node answered fewer results")),
            });
            match answer {
                Ok(hash) => BatchResult::Submitted(Submitted { hash }),
                Err(e) => BatchResult::Error(e.body),
            }
        })
        .collect();
    Ok(Json(SubmittedBatch { results }))
}

/// `POST /dev/tx`: a dev account signs and submits (`{"account", "payload", "gas_limit"}`).
pub async fn submit_dev(
    State(s): State<AppState>,
    ApiJson(request): ApiJson<DevTxRequest>,
) -> Result<(StatusCode, Json<Submitted>), HttpError> {
    let request = params::dev_tx(request)?;
    let hash = s.call(move |n| n.submit_dev(request)).await?;
    Ok((StatusCode::ACCEPTED, Json(Submitted { hash })))
}

/// `POST /call`: a read-only call at the tip, with a gas estimate; never committed.
pub async fn dry_run(
    State(s): State<AppState>,
    ApiJson(request): ApiJson<CallRequest>,
) -> Result<Json<DryRunView>, HttpError> {
    let request = params::call_request(request)?;
    s.call(move |n| n.dry_run(request)).await.map(Json)
}
