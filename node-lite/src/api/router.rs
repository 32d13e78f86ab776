//! The route table (examples of each in `docs/api.md`):
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /chain` | [`ChainInfo`](crate::node_api::ChainInfo) |
//! | `GET /head` | [`HeadView`](crate::node_api::HeadView) |
//! | `GET /blocks/{height or hash}` | [`BlockView`](crate::node_api::BlockView) |
//! | `GET /tx/{hash}` | [`TxStatus`](crate::node_api::TxStatus) |
//! | `POST /tx` | 202 [`Submitted`](super::submit::Submitted) |
//! | `POST /txs` | 200 [`SubmittedBatch`](super::submit::SubmittedBatch) |
//! | `GET /accounts/{address}` | [`AccountView`](crate::node_api::AccountView) |
//! | `GET /contracts/{id}/storage/{key hex}` | [`StorageView`](super::queries::StorageView) |
//! | `POST /call` | [`DryRunView`](crate::node_api::DryRunView) |
//! | `GET /provisioners` | [`ProvisionerView`](crate::node_api::ProvisionerView)s |
//! | `GET /committee/{round}/{iteration}/{step}` | [`CommitteeView`](crate::node_api::CommitteeView) |
//! | `GET /events?contract=&topic=&from_height=&to_height=&limit=` | [`EventView`](crate::node_api::EventView)s |
//! | `GET /stream?types=` | Server-Sent Events ([`stream`](super::stream)) |
//! | `GET /dev/accounts` | [`DevAccount`](crate::node_api::DevAccount)s |
//! | `POST /dev/tx` | 202 [`Submitted`](super::submit::Submitted) |
//! | `POST /dev/mine` | [`Mined`](super::dev::Mined) |
//! | `POST /dev/next-timestamp` | [`NextTimestamp`](super::dev::NextTimestamp) |
//! | `POST /dev/fund` | [`Fund`](super::dev::Fund) |
//! | `POST /dev/provisioners/{index}/offline`, `…/online` | [`Presence`](super::dev::Presence) |

use super::error::{no_route, wrong_method};
use super::{AppState, dev, queries, stream, submit};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// The API's routes over `state`, with the body limit and JSON errors for unknown routes and
/// methods.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/chain", get(queries::chain))
        .route("/head", get(queries::head))
        .route("/blocks/{id}", get(queries::block))
        .route("/tx", post(submit::submit))
        .route("/txs", post(submit::submit_batch))
        .route("/tx/{hash}", get(queries::tx_status))
        .route("/accounts/{address}", get(queries::account))
        .route("/contracts/{id}/storage/{key}", get(queries::storage))
        .route("/call", post(submit::dry_run))
        .route("/provisioners", get(queries::provisioners))
        .route(
            "/committee/{round}/{iteration}/{step}",
            get(queries::committee),
        )
        .route("/events", get(queries::events))
        .route("/stream", get(stream::stream))
        .route("/dev/accounts", get(queries::dev_accounts))
        .route("/dev/tx", post(submit::submit_dev))
        .route("/dev/mine", post(dev::mine))
        .route("/dev/next-timestamp", post(dev::next_timestamp))
        .route("/dev/fund", post(dev::fund))
        .route("/dev/provisioners/{index}/offline", post(dev::offline))
        .route("/dev/provisioners/{index}/online", post(dev::online))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}
