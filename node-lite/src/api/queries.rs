//! The read-only endpoints: each checks its parameters ([`params`](super::params)) and answers
//! one [`NodeApi`](crate::node_api::NodeApi) query as JSON.

use super::AppState;
use super::error::HttpError;
use super::extract::{ApiPath, ApiQuery};
use super::params;
use crate::node_api::{
    AccountView, BlockView, ChainInfo, CommitteeView, DevAccount, EventFilter, EventView, HeadView,
    ProvisionerView, TxStatus,
};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

type Answer<T> = Result<Json<T>, HttpError>;

/// `GET /chain`: the chain's constants.
pub async fn chain(State(s): State<AppState>) -> Answer<ChainInfo> {
    s.call(|n| Ok(n.chain_info())).await.map(Json)
}

/// `GET /dev/accounts`: the prefunded dev accounts, with their secret keys.
pub async fn dev_accounts(State(s): State<AppState>) -> Answer<Vec<DevAccount>> {
    s.call(|n| Ok(n.dev_accounts())).await.map(Json)
}

/// `GET /head`: the tip and the highest final block.
pub async fn head(State(s): State<AppState>) -> Answer<HeadView> {
    s.call(|n| Ok(n.head())).await.map(Json)
}

/// `GET /blocks/{id}`: a block by height or hash.
pub async fn block(State(s): State<AppState>, ApiPath(id): ApiPath<String>) -> Answer<BlockView> {
    let which = params::block_ref(&id)?;
    s.call(move |n| n.block(which)).await.map(Json)
}

/// `GET /tx/{hash}`: where a transaction is, with its receipt once included.
pub async fn tx_status(
    State(s): State<AppState>,
    ApiPath(hash): ApiPath<String>,
) -> Answer<TxStatus> {
    let hash = params::hex32("hash", &hash)?;
    s.call(move |n| n.tx_status(&hash)).await.map(Json)
}

/// `GET /accounts/{address}`: balance and next nonce at the tip.
pub async fn account(
    State(s): State<AppState>,
    ApiPath(address): ApiPath<String>,
) -> Answer<AccountView> {
    let address = params::hex32("address", &address)?;
    s.call(move |n| n.account(&address)).await.map(Json)
}

/// The answer of `GET /contracts/{id}/storage/{key}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageView {
    /// The contract.
    pub contract: String,
    /// The key (hex).
    pub key: String,
    /// The value (hex), `null` when the key is absent.
    pub value: Option<String>,
}

/// `GET /contracts/{id}/storage/{key}`: one storage value at the tip.
pub async fn storage(
    State(s): State<AppState>,
    ApiPath((contract, key)): ApiPath<(String, String)>,
) -> Answer<StorageView> {
    let contract = params::hex32("contract", &contract)?;
    let key = params::hex_bytes("key", &key)?;
    let (c, k) = (contract.clone(), key.clone());
    let value = s.call(move |n| n.storage(&c, &k)).await?;
    Ok(Json(StorageView {
        contract,
        key,
        value,
    }))
}

/// `GET /provisioners`: stakes and eligibility windows at the tip.
pub async fn provisioners(State(s): State<AppState>) -> Answer<Vec<ProvisionerView>> {
    s.call(|n| n.provisioners()).await.map(Json)
}

/// `GET /committee/{round}/{iteration}/{step}`: a step's committee, as far as revealed.
pub async fn committee(
    State(s): State<AppState>,
    ApiPath((round, iteration, step)): ApiPath<(u64, u8, String)>,
) -> Answer<CommitteeView> {
    let step = params::step(&step)?;
    s.call(move |n| n.committee(round, iteration, step))
        .await
        .map(Json)
}

/// The query string of `GET /events` (every field optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Only this contract's events.
    pub contract: Option<String>,
    /// Only this topic.
    pub topic: Option<String>,
    /// From this height (inclusive).
    pub from_height: Option<u64>,
    /// To this height (inclusive).
    pub to_height: Option<u64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// `GET /events?contract=&topic=&from_height=&to_height=&limit=`: events, oldest first.
pub async fn events(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Answer<Vec<EventView>> {
    let filter = params::event_filter(EventFilter {
        contract: q.contract,
        topic: q.topic,
        from_height: q.from_height,
        to_height: q.to_height,
        limit: q.limit,
    })?;
    s.call(move |n| n.events(filter)).await.map(Json)
}
