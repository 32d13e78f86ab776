//! Names given with `deploy --name`, kept in `DIR/names.json` so that they follow the state:
//! a name resolves to the **newest contract bound to it that exists in the current state**.
//!
//! Each name keeps the stack of contracts it was bound to (`--force` pushes a new one). So:
//! - a deploy binds its name *before* it commits; if the commit fails or the process dies in
//!   between, the name points at a contract the state does not have, and is not seen: a name and
//!   its contract appear together or not at all;
//! - `state revert` or `state load` to a state without the newer contract makes the name point at
//!   the contract it had then, with no bookkeeping (names are never "reverted": they resolve);
//! - a refused deploy writes nothing.
//!
//! The file is `{"name": ["<id>", "<newer id>"]}`; the older `{"name": "<id>"}` is still read.

use host_api::ContractId;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The longest name `deploy --name` accepts.
pub const MAX_NAME_BYTES: usize = 64;

/// One name's bindings, oldest first.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum RawBinding {
    /// The older file format: one id.
    One(String),
    /// Oldest first.
    Stack(Vec<String>),
}

/// Every name's contracts, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bindings(BTreeMap<String, Vec<ContractId>>);

impl Bindings {
    /// Parse `names.json`.
    ///
    /// # Errors
    /// A message naming what does not parse.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: BTreeMap<String, RawBinding> =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut out = BTreeMap::new();
        for (name, binding) in raw {
            let ids = match binding {
                RawBinding::One(id) => vec![id],
                RawBinding::Stack(ids) => ids,
            };
            let ids = ids
                .iter()
                .map(|id| id.parse().map_err(|e| format!("{name}: {e}")))
                .collect::<Result<Vec<ContractId>, String>>()?;
            out.insert(name, ids);
        }
        Ok(Self(out))
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        let raw: BTreeMap<&String, Vec<String>> = self
            .0
            .iter()
            .map(|(n, ids)| (n, ids.iter().map(ToString::to_string).collect()))
            .collect();
        serde_json::to_string_pretty(&raw).unwrap_or_else(|_| "{}".into())
    }

    /// Bind `name` to `id` as its newest contract (an earlier binding to `id` moves up).
    pub fn bind(&mut self, name: &str, id: ContractId) {
        let stack = self.0.entry(name.to_string()).or_default();
        stack.retain(|x| *x != id);
        stack.push(id);
    }

    /// Each name's newest contract for which `exists` holds.
    ///
    /// # Errors
    /// The first error of `exists`.
    pub fn resolve<E>(
        &self,
        mut exists: impl FnMut(&ContractId) -> Result<bool, E>,
    ) -> Result<BTreeMap<String, ContractId>, E> {
        let mut out = BTreeMap::new();
        for (name, ids) in &self.0 {
            for id in ids.iter().rev() {
                if exists(id)? {
                    out.insert(name.clone(), *id);
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// Why a name cannot be given.
pub fn invalid_name(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("a name cannot be empty".into())
    } else if name.len() > MAX_NAME_BYTES {
        Some(format!(
            "a name has at most {MAX_NAME_BYTES} bytes, got {}",
            name.len()
        ))
    } else if name.parse::<ContractId>().is_ok() {
        Some(format!(
            "{name:?} reads as a contract id and cannot be a name"
        ))
    } else if name.chars().any(char::is_control) {
        Some(format!("{name:?} contains a control character"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ContractId {
        ContractId([n; 32])
    }

    #[test]
    fn a_name_resolves_to_its_newest_existing_contract() {
        let mut b = Bindings::default();
        b.bind("hello", id(1));
        b.bind("hello", id(2));
        let all = |_: &ContractId| Ok::<_, ()>(true);
        assert_eq!(b.resolve(all).unwrap()["hello"], id(2));
        // id 2 reverted away: back to id 1.
        let only_1 = |c: &ContractId| Ok::<_, ()>(*c == id(1));
        assert_eq!(b.resolve(only_1).unwrap()["hello"], id(1));
        // Neither exists: no name.
        let none = |_: &ContractId| Ok::<_, ()>(false);
        assert!(b.resolve(none).unwrap().is_empty());
        // Rebinding an older contract moves it up.
        b.bind("hello", id(1));
        assert_eq!(b.resolve(all).unwrap()["hello"], id(1));
    }

    #[test]
    fn the_file_round_trips_and_the_older_format_is_read() {
        let mut b = Bindings::default();
        b.bind("a", id(1));
        b.bind("a", id(2));
        b.bind("b", id(3));
        assert_eq!(Bindings::parse(&b.to_json()).unwrap(), b);
        let old = format!("{{\"a\": \"{}\"}}", id(4));
        let parsed = Bindings::parse(&old).unwrap();
        assert_eq!(parsed.resolve(|_| Ok::<_, ()>(true)).unwrap()["a"], id(4));
        assert!(Bindings::parse("{\"a\": 5}").is_err());
        assert!(
            Bindings::parse("{\"a\": [\"zz\"]}")
                .unwrap_err()
                .starts_with("a: ")
        );
    }

    #[test]
    fn names_at_the_length_limit_and_one_past() {
        assert_eq!(invalid_name(&"n".repeat(MAX_NAME_BYTES)), None);
        assert!(invalid_name(&"n".repeat(MAX_NAME_BYTES + 1)).is_some());
        assert!(invalid_name("").is_some());
        assert!(invalid_name(&id(9).to_string()).is_some());
        assert!(invalid_name("a\nb").is_some());
    }
}
