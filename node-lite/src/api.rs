//! The devnet's HTTP JSON API: axum on its own tokio runtime, serving any [`NodeApi`].
//!
//! [`serve`] binds an address (port 0 picks a free one), starts a thread running a tokio
//! runtime, and returns an [`ApiServer`] with the bound address and a graceful
//! [`ApiServer::shutdown`]. Every request becomes one call of the [`NodeApi`] trait, made on the
//! runtime's blocking pool (a backend that blocks or panics never stalls or kills the server).
//! The routes are listed in [`router`] and documented with examples in `docs/api.md`.
//!
//! | module | concept |
//! |---|---|
//! | [`server`] | binding, the runtime thread, graceful shutdown, the limits ([`ApiConfig`]) |
//! | [`router`] | the route table |
//! | [`error`] | every failure as one status and a JSON body `{"error", "message"}` |
//! | [`extract`] | JSON bodies, paths and query strings whose rejections are JSON errors |
//! | [`params`] | parsing and checking what a client sends: hex ids, heights, amounts |
//! | [`queries`] | the read-only endpoints: chain, head, blocks, transactions, accounts, … |
//! | [`submit`] | submitting signed and dev-signed transactions, dry runs |
//! | [`dev`] | the dev controls: mine, next timestamp, fund, provisioners offline/online |
//! | [`stream`] | the Server-Sent-Events stream of [`ChainEvent`](crate::node_api::ChainEvent)s |
//!
//! This module knows the node only through [`NodeApi`]: it must not reach into the devnet,
//! the chain or the runtime.

pub mod dev;
pub mod error;
pub mod extract;
pub mod params;
pub mod queries;
pub mod router;
pub mod server;
pub mod stream;
pub mod submit;

pub use error::{ErrorBody, HttpError};
pub use server::{ApiConfig, ApiServeError, ApiServer, DEFAULT_PORT, serve, serve_with};

use crate::node_api::NodeApi;
use std::sync::Arc;

/// What every handler reads: the node and the server's limits.
#[derive(Clone)]
pub struct AppState {
    /// The node the API serves.
    pub node: Arc<dyn NodeApi>,
    /// The limits.
    pub config: ApiConfig,
    /// Becomes `true` when the server shuts down (ends the event streams).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// Run `f` on the node in the runtime's blocking pool: a backend call may take a while
    /// (`mine` waits for its block, a dry run executes a contract) and must not hold a runtime
    /// worker; a backend that panics answers 500 and the server goes on.
    ///
    /// # Errors
    /// `f`'s error, or [`HttpError::internal`] when `f` panicked.
    pub async fn call<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn NodeApi) -> Result<T, crate::node_api::ApiError> + Send + 'static,
    {
        let node = self.node.clone();
        match tokio::task::spawn_blocking(move || f(node.as_ref())).await {
            Ok(result) => result.map_err(HttpError::from),
            Err(e) => Err(HttpError::internal(format!("the node failed: {e}"))),
        }
    }
}
