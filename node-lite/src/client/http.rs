//! [`NodeClient`]: the API over blocking HTTP/1 (ureq), each answer checked.
//!
//! A 2xx answer must be JSON; any other status becomes [`ClientError::Api`] with the node's
//! `error` and `message` (or the raw body when the answer is not the API's error shape).

use super::ClientError;
use crate::node_api::{
    AccountView, CallRequest, ChainInfo, DevAccount, DevTxRequest, DryRunView, TxStatus,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long one request may take (a `mine` waits for its block).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest answer read, in bytes.
pub const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;
/// How often [`NodeClient::wait_included`] asks.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A client of one node's API.
#[derive(Clone)]
pub struct NodeClient {
    base: String,
    agent: ureq::Agent,
}

/// Percent-encode one path segment or query value (unreserved characters pass).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl NodeClient {
    /// A client of the node at `base_url` (`http://host:port`, a trailing `/` allowed).
    pub fn new(base_url: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .into();
        NodeClient {
            base: base_url.trim_end_matches('/').to_string(),
            agent,
        }
    }

    /// The node's URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn answer(
        &self,
        path: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut response = result
            .map_err(|e| ClientError::Transport(format!("cannot reach the node at {url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_string()
            .map_err(|e| ClientError::Transport(format!("reading the answer of {url}: {e}")))?;
        let json: Option<Value> = serde_json::from_str(&text).ok();
        if (200..300).contains(&status) {
            return json.ok_or_else(|| {
                ClientError::Transport(format!(
                    "{url} answered {status} with a body that is not JSON: {text:?}"
                ))
            });
        }
        let field = |name: &str| {
            json.as_ref()
                .and_then(|j| j.get(name))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Err(match (field("error"), field("message")) {
            (Some(error), Some(message)) => ClientError::Api {
                status,
                error,
                message,
            },
            _ => ClientError::Transport(format!(
                "{url} answered {status} and not with the API's error: {text:?}"
            )),
        })
    }

    /// `GET path` as JSON.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn get(&self, path: &str) -> Result<Value, ClientError> {
        let result = self.agent.get(format!("{}{path}", self.base)).call();
        self.answer(path, result)
    }

    /// `POST path` with a JSON body.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn post_json(&self, path: &str, body: &Value) -> Result<Value, ClientError> {
        let result = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .send(body.to_string().as_bytes());
        self.answer(path, result)
    }

    /// `POST path` with raw bytes (`application/octet-stream`).
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn post_bytes(&self, path: &str, body: &[u8]) -> Result<Value, ClientError> {
        let result = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/octet-stream")
            .send(body);
        self.answer(path, result)
    }

    fn typed<T: DeserializeOwned>(what: &str, json: Value) -> Result<T, ClientError> {
        serde_json::from_value(json)
            .map_err(|e| ClientError::Transport(format!("the node's {what} is not the API's: {e}")))
    }

    /// `GET /chain`.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn chain_info(&self) -> Result<ChainInfo, ClientError> {
        Self::typed("chain info", self.get("/chain")?)
    }

    /// `GET /dev/accounts`.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn dev_accounts(&self) -> Result<Vec<DevAccount>, ClientError> {
        Self::typed("dev accounts", self.get("/dev/accounts")?)
    }

    /// `GET /accounts/{address}`.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn account(&self, address: &str) -> Result<AccountView, ClientError> {
        let path = format!("/accounts/{}", encode_component(address));
        Self::typed("account", self.get(&path)?)
    }

    /// `POST /call`.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn dry_run(&self, request: &CallRequest) -> Result<DryRunView, ClientError> {
        let body = serde_json::to_value(request)
            .map_err(|e| ClientError::Input(format!("cannot encode the call: {e}")))?;
        Self::typed("dry run", self.post_json("/call", &body)?)
    }

    /// `GET /tx/{hash}`.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn tx_status(&self, hash: &str) -> Result<TxStatus, ClientError> {
        let path = format!("/tx/{}", encode_component(hash));
        Self::typed("transaction status", self.get(&path)?)
    }

    /// `POST /tx` with the encoded transaction; its hash.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn submit(&self, tx: &[u8]) -> Result<String, ClientError> {
        Self::hash_of(self.post_bytes("/tx", tx)?)
    }

    /// `POST /dev/tx`; the transaction's hash.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub fn submit_dev(&self, request: &DevTxRequest) -> Result<String, ClientError> {
        let body = serde_json::to_value(request)
            .map_err(|e| ClientError::Input(format!("cannot encode the request: {e}")))?;
        Self::hash_of(self.post_json("/dev/tx", &body)?)
    }

    fn hash_of(answer: Value) -> Result<String, ClientError> {
        answer
            .get("hash")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                ClientError::Transport(format!("the node's answer has no hash: {answer}"))
            })
    }

    /// Ask for `hash`'s status until it is included or `timeout` passes (a transaction the node
    /// does not know yet, 404, is asked again).
    ///
    /// # Errors
    /// [`ClientError::Transport`] at the timeout, or what a request fails with.
    pub fn wait_included(&self, hash: &str, timeout: Duration) -> Result<TxStatus, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.tx_status(hash) {
                Ok(status @ TxStatus::Included { .. }) => return Ok(status),
                Ok(TxStatus::Pending) => "pending".to_string(),
                Err(ClientError::Api { status: 404, .. }) => "unknown to the node".to_string(),
                Err(e) => return Err(e),
            };
            if Instant::now() >= deadline {
                return Err(ClientError::Transport(format!(
                    "transaction {hash} not included after {timeout:?} (still {last})"
                )));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("ab12-_.~"), "ab12-_.~");
        assert_eq!(encode_component("a/b?c=d e"), "a%2Fb%3Fc%3Dd%20e");
        assert_eq!(encode_component("é"), "%C3%A9");
    }
}
