//! The dev controls (a devnet's `anvil_*`): mine a block now, set the next block's timestamp,
//! fund an account, take a provisioner offline and back.

use super::AppState;
use super::error::HttpError;
use super::extract::{ApiJson, ApiPath};
use super::params;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

/// The answer of `POST /dev/mine`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mined {
    /// The new block's height.
    pub height: u64,
}

/// `POST /dev/mine`: produce a block now (`--manual` devnets; 409 otherwise).
pub async fn mine(State(s): State<AppState>) -> Result<Json<Mined>, HttpError> {
    let height = s.call(|n| n.mine()).await?;
    Ok(Json(Mined { height }))
}

/// The body (and answer) of `POST /dev/next-timestamp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextTimestamp {
    /// The next block's timestamp, ms since the Unix epoch.
    pub timestamp_ms: u64,
}

/// `POST /dev/next-timestamp`: the next block's timestamp.
pub async fn next_timestamp(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NextTimestamp>,
) -> Result<Json<NextTimestamp>, HttpError> {
    let t = body.timestamp_ms;
    s.call(move |n| n.set_next_timestamp(t)).await?;
    Ok(Json(body))
}

/// The body (and answer) of `POST /dev/fund`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fund {
    /// The account.
    pub address: String,
    /// How much to mint (decimal).
    pub amount: String,
}

/// `POST /dev/fund`: mint to an account (a protocol call in the next block).
pub async fn fund(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<Fund>,
) -> Result<Json<Fund>, HttpError> {
    let fund = Fund {
        address: params::hex32("address", &body.address)?,
        amount: params::amount("amount", &body.amount)?,
    };
    let f = fund.clone();
    s.call(move |n| n.fund(&f.address, &f.amount)).await?;
    Ok(Json(fund))
}

/// The answer of `POST /dev/provisioners/{index}/online|offline`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The provisioner's index.
    pub index: usize,
    /// Whether it is now online.
    pub online: bool,
}

async fn set_online(s: AppState, index: usize, online: bool) -> Result<Json<Presence>, HttpError> {
    s.call(move |n| n.set_online(index, online)).await?;
    Ok(Json(Presence { index, online }))
}

/// `POST /dev/provisioners/{index}/offline`: provisioner `index` stops taking part.
pub async fn offline(
    State(s): State<AppState>,
    ApiPath(index): ApiPath<usize>,
) -> Result<Json<Presence>, HttpError> {
    set_online(s, index, false).await
}

/// `POST /dev/provisioners/{index}/online`: provisioner `index` takes part again.
pub async fn online(
    State(s): State<AppState>,
    ApiPath(index): ApiPath<usize>,
) -> Result<Json<Presence>, HttpError> {
    set_online(s, index, true).await
}
