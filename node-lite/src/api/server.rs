//! Serving: bind, run the router on a tokio runtime in a thread of its own, shut down
//! gracefully.
//!
//! [`serve`] binds before it returns (a taken port is an error here, not in a log line later),
//! so [`ApiServer::local_addr`] is the real address even for port 0. [`ApiServer::shutdown`]
//! (also run on drop) stops accepting, ends the event streams, lets requests in flight finish
//! for up to [`SHUTDOWN_GRACE`], and joins the thread.

use super::AppState;
use super::router::router;
use crate::chain::tx::MAX_TX_BYTES;
use crate::node_api::NodeApi;
use futures_util::future::select;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// The port a devnet's API listens on unless told otherwise (the CLI client's default too;
/// anvil's, so tools that expect a local devnet there find it).
pub const DEFAULT_PORT: u16 = 8545;
/// The default body limit: a transaction of the largest size ([`MAX_TX_BYTES`]) written in hex,
/// with 64 KiB for the JSON around it.
pub const DEFAULT_BODY_LIMIT: usize = 2 * MAX_TX_BYTES + 64 * 1024;
/// How long a shutdown waits for requests in flight before it drops them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The server's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiConfig {
    /// Largest request body, in bytes: past it, 413.
    pub body_limit: usize,
    /// Runtime worker threads.
    pub worker_threads: usize,
    /// Most node calls running at once on the blocking pool (more wait their turn).
    pub max_blocking_threads: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            body_limit: DEFAULT_BODY_LIMIT,
            worker_threads: 2,
            max_blocking_threads: 32,
        }
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ApiServeError {
    /// The address could not be bound (taken, not local, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or its thread could not be started.
    #[error("cannot start the API's runtime: {0}")]
    Runtime(std::io::Error),
}

/// A running API server. Dropping it shuts it down.
pub struct ApiServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<local_addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, end the event streams, let requests in flight finish (at most
    /// [`SHUTDOWN_GRACE`]) and join the server's thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.send_replace(true);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            eprintln!("the API server's thread panicked");
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Serve `node` on `addr` with the default limits (see [`serve_with`]).
///
/// # Errors
/// See [`ApiServeError`].
pub fn serve(node: Arc<dyn NodeApi>, addr: SocketAddr) -> Result<ApiServer, ApiServeError> {
    serve_with(node, addr, ApiConfig::default())
}

/// Bind `addr` (port 0: any free port) and serve `node` on a runtime thread of its own.
///
/// # Errors
/// See [`ApiServeError`].
pub fn serve_with(
    node: Arc<dyn NodeApi>,
    addr: SocketAddr,
    config: ApiConfig,
) -> Result<ApiServer, ApiServeError> {
    let bind = |source| ApiServeError::Bind { addr, source };
    let listener = std::net::TcpListener::bind(addr).map_err(bind)?;
    listener.set_nonblocking(true).map_err(bind)?;
    let local = listener.local_addr().map_err(bind)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.worker_threads.max(1))
        .max_blocking_threads(config.max_blocking_threads.max(1))
        .thread_name("node-lite-api")
        .enable_io()
        .enable_time()
        .build()
        .map_err(ApiServeError::Runtime)?;
    // Registering the listener needs the runtime's reactor: done here so that a failure is
    // returned, not printed by the thread.
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(bind)?
    };
    let (stop, stopped) = watch::channel(false);
    let state = AppState {
        node,
        config,
        shutdown: stopped.clone(),
    };
    let app = router(state);
    let thread = std::thread::Builder::new()
        .name("node-lite-api".into())
        .spawn(move || run(runtime, listener, app, stopped))
        .map_err(ApiServeError::Runtime)?;
    Ok(ApiServer {
        addr: local,
        stop,
        thread: Some(thread),
    })
}

async fn stop_requested(mut stopped: watch::Receiver<bool>) {
    // An error means the sender is gone: the server was dropped, stop too.
    let _ = stopped.wait_for(|stop| *stop).await;
}

fn run(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stopped: watch::Receiver<bool>,
) {
    runtime.block_on(async {
        let serve = axum::serve(listener, app)
            .with_graceful_shutdown(stop_requested(stopped.clone()))
            .into_future();
        let deadline = async {
            stop_requested(stopped).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        if let futures_util::future::Either::Left((Err(e), _)) =
            select(pin!(serve), pin!(deadline)).await
        {
            eprintln!("the API server failed: {e}");
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}
