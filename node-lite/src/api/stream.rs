//! `GET /stream`: the node's [`ChainEvent`]s as Server-Sent Events.
//!
//! Each SSE event is named after the chain event's `type` (`block`, `label`, `event`), carries
//! its JSON (the same object, `type` included) as `data`, and a sequence number as `id`. A
//! subscriber too slow for the node's broadcast channel loses the oldest items and is told so by
//! a `lagged` event (`{"missed": n}`) before the stream goes on. `?types=block,event` keeps only
//! those kinds. A comment every [`KEEP_ALIVE`] keeps idle connections open; the stream ends when
//! the server shuts down or the node stops publishing.

use super::AppState;
use super::error::HttpError;
use super::extract::ApiQuery;
use crate::node_api::ChainEvent;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::future::{Either, select};
use serde::Deserialize;
use std::convert::Infallible;
use std::pin::pin;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

/// How often an idle stream sends a comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The kinds of events a stream can carry.
pub const KINDS: [&str; 3] = ["block", "label", "event"];

/// The query string of `GET /stream`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Comma-separated kinds to keep (`block`, `label`, `event`); all when absent.
    pub types: Option<String>,
}

/// Which kinds a stream keeps, in the order of [`KINDS`].
fn kinds(types: Option<&str>) -> Result<[bool; 3], HttpError> {
    let Some(types) = types else {
        return Ok([true; 3]);
    };
    let mut keep = [false; 3];
    for name in types.split(',').map(str::trim) {
        let i = KINDS.iter().position(|k| *k == name).ok_or_else(|| {
            HttpError::bad_request(format!(
                "unknown event type {name:?} in `types` (known: {})",
                KINDS.join(", ")
            ))
        })?;
        keep[i] = true;
    }
    Ok(keep)
}

fn kind_of(event: &ChainEvent) -> usize {
    match event {
        ChainEvent::Block(_) => 0,
        ChainEvent::Label { .. } => 1,
        ChainEvent::Event(_) => 2,
    }
}

struct Subscription {
    events: Receiver<ChainEvent>,
    shutdown: watch::Receiver<bool>,
    keep: [bool; 3],
    next_id: u64,
}

impl Subscription {
    /// An SSE event named `name` (then its id, then its data: the order it is written in).
    fn sse(&mut self, name: &str, data: &impl serde::Serialize) -> Event {
        let id = self.next_id.to_string();
        self.next_id += 1;
        match Event::default().event(name).id(&id).json_data(data) {
            Ok(event) => event,
            Err(e) => Event::default()
                .event("error")
                .id(id)
                .data(format!("cannot serialise the event: {e}")),
        }
    }

    /// The next SSE event, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            let received = {
                let recv = pin!(self.events.recv());
                let stop = pin!(self.shutdown.changed());
                match select(recv, stop).await {
                    Either::Left((received, _)) => received,
                    // Shut down, or the server is gone.
                    Either::Right(_) => return None,
                }
            };
            match received {
                Ok(event) if self.keep[kind_of(&event)] => {
                    return Some(self.sse(KINDS[kind_of(&event)], &event));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    return Some(self.sse("lagged", &serde_json::json!({ "missed": missed })));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// `GET /stream?types=`: see the [module docs](self).
pub async fn stream(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, HttpError> {
    let keep = kinds(q.types.as_deref())?;
    let events = s.call(|n| Ok(n.subscribe())).await?;
    let subscription = Subscription {
        events,
        shutdown: s.shutdown.clone(),
        keep,
        next_id: 0,
    };
    let stream = futures_util::stream::unfold(subscription, |mut sub| async move {
        sub.next().await.map(|event| (Ok(event), sub))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A subscriber that fell behind the channel is told how many events it missed, then gets
    /// the ones still there.
    #[test]
    fn a_lagging_subscriber_is_told_what_it_missed() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(lagging_subscriber());
    }

    async fn lagging_subscriber() {
        let (sender, events) = tokio::sync::broadcast::channel(2);
        let (_stop, shutdown) = watch::channel(false);
        let mut sub = Subscription {
            events,
            shutdown,
            keep: [true; 3],
            next_id: 0,
        };
        for height in 0..5 {
            sender
                .send(ChainEvent::Label {
                    height,
                    hash: String::new(),
                    label: "final".into(),
                })
                .unwrap();
        }
        let debug = |e: Event| format!("{e:?}");
        let lagged = debug(sub.next().await.unwrap());
        assert!(
            lagged.contains(r#"event: lagged\nid: 0\ndata: {\"missed\":3}"#),
            "{lagged}"
        );
        let next = debug(sub.next().await.unwrap());
        assert!(next.contains(r#"\"height\":3"#), "{next}");
        drop(sender);
        assert!(sub.next().await.is_some(), "height 4 is still there");
        assert!(sub.next().await.is_none(), "the channel closed");
    }

    #[test]
    fn types_select_kinds_and_unknown_ones_are_named() {
        assert_eq!(kinds(None).unwrap(), [true; 3]);
        assert_eq!(kinds(Some("event, block")).unwrap(), [true, false, true]);
        let e = kinds(Some("block,blocks")).unwrap_err();
        assert!(e.body.message.contains("\"blocks\""), "{e:?}");
    }
}
