//! A blocking HTTP helper for the tests: any status is an answer (not an error), bodies come
//! back as text and JSON.

use serde_json::Value;
use std::time::Duration;

/// A status and a body.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body.
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// Assert an error reply: `status`, a JSON body of kind `error` whose message contains
    /// `needle`.
    pub fn assert_error(&self, status: u16, error: &str, needle: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert!(
            self.content_type.starts_with("application/json"),
            "{self:?}"
        );
        let json = self.json();
        assert_eq!(json["error"], error, "{self:?}");
        let message = json["message"].as_str().expect("a message");
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = result.expect("an HTTP answer");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .expect("a text body");
    Reply {
        status,
        content_type,
        text,
    }
}

/// `GET base + path`.
pub fn get(base: &str, path: &str) -> Reply {
    reply(agent().get(format!("{base}{path}")).call())
}

/// `POST base + path` with `body` and a `Content-Type`.
pub fn post(base: &str, path: &str, content_type: &str, body: &[u8]) -> Reply {
    reply(
        agent()
            .post(format!("{base}{path}"))
            .header("Content-Type", content_type)
            .send(body),
    )
}

/// `POST base + path` with a JSON body.
pub fn post_json(base: &str, path: &str, body: &Value) -> Reply {
    post(base, path, "application/json", body.to_string().as_bytes())
}

/// `method base + path` with no body.
pub fn request(base: &str, method: &str, path: &str) -> Reply {
    let uri = format!("{base}{path}");
    let req = ureq::http::Request::builder()
        .method(method)
        .uri(uri)
        .body(())
        .expect("a request");
    reply(agent().run(req))
}
