//! The genesis a data directory's chain was made with, kept beside it ([`GENESIS_FILE`]).
//!
//! A chain is more than its genesis state: the gas schedule, the block gas limit, the consensus
//! timeouts and the emission shape every block after it, and the genesis state's root (which the
//! stored blocks chain back to) covers none of them. So a new data directory records the genesis
//! TOML it was started with, and a restart:
//! - **without `--genesis`** resumes the recorded genesis (not the embedded default, which a
//!   newer node-lite may have changed);
//! - **with `--genesis FILE`** must name the same genesis: a file that differs is refused,
//!   naming the first field that differs;
//! - **under another gas schedule** (a node-lite whose prices changed since the chain was made)
//!   is refused, naming both fingerprints: its blocks would charge other gas and reach other
//!   state roots than the recorded ones.
//!
//! A directory holding a chain (`node-0/`) but no record was made by a node-lite from before the
//! record: the schedule it ran under is unknown, so it is refused too. A record without a chain
//! (a start that failed before its first node) is replaced by the next start's genesis.

use super::config::{ConfigError, GenesisSource};
use crate::chain::gas_schedule_fingerprint;
use crate::chain::genesis_config::{DEFAULT_GENESIS_TOML, GenesisConfig, GenesisConfigError};
use runtime::PriceTable;
use std::path::{Path, PathBuf};

/// The record's file name in a data directory.
pub const GENESIS_FILE: &str = "genesis.toml";

/// The first node's directory: its presence means the data directory holds a chain.
const FIRST_NODE_DIR: &str = "node-0";

/// Why a data directory's recorded genesis refuses a start.
#[derive(Debug, thiserror::Error)]
pub enum GenesisRecordError {
    /// The chain was made under another gas schedule than this node-lite's.
    #[error(
        "{dir}: its chain was made under gas schedule `{stored}`, and this node-lite charges `{node}`: its blocks would spend other gas and reach other state roots; run the node-lite that made it, or start from another --data directory"
    )]
    GasSchedule {
        /// The data directory.
        dir: PathBuf,
        /// The recorded genesis's fingerprint.
        stored: String,
        /// This node-lite's.
        node: String,
    },
    /// `--genesis` names another genesis than the recorded one.
    #[error(
        "{dir}: its chain was made with another genesis ({record}): `{field}` differs in {given}; restart without --genesis to resume the chain, or start from another --data directory"
    )]
    Differs {
        /// The data directory.
        dir: PathBuf,
        /// The record.
        record: PathBuf,
        /// The first differing field.
        field: &'static str,
        /// The file given.
        given: PathBuf,
    },
    /// The record is unreadable or no longer a valid genesis.
    #[error("{record}: {error}")]
    Unreadable {
        /// The record.
        record: PathBuf,
        /// Why.
        error: GenesisConfigError,
    },
    /// A chain with no record (made by a node-lite from before the record).
    #[error(
        "{dir}: its chain was made by an earlier node-lite, which did not record its genesis ({GENESIS_FILE}): the gas schedule it ran under is unknown; start from another --data directory"
    )]
    Unrecorded {
        /// The data directory.
        dir: PathBuf,
    },
    /// The record could not be written.
    #[error("writing {path}: {error}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
}

/// Why a start on a data directory found no genesis to run.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// The genesis given (`--genesis` or the default) is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data directory's record refuses it.
    #[error(transparent)]
    Record(#[from] GenesisRecordError),
}

/// The genesis a devnet on `dir` runs: the recorded one when `dir` holds a chain (checked
/// against `given` and this node's `prices`), else `given`, recorded.
///
/// # Errors
/// See [`SettleError`]; nothing is written then.
pub fn settle(
    dir: &Path,
    given: &GenesisSource,
    prices: &PriceTable,
) -> Result<GenesisConfig, SettleError> {
    let record = dir.join(GENESIS_FILE);
    if !dir.join(FIRST_NODE_DIR).exists() {
        let text = match given {
            GenesisSource::Default => DEFAULT_GENESIS_TOML.to_string(),
            GenesisSource::File(path) => {
                GenesisConfig::read_text(path).map_err(ConfigError::from)?
            }
        };
        let genesis = GenesisConfig::parse(&text, prices).map_err(ConfigError::from)?;
        write_record(&record, &text)?;
        return Ok(genesis);
    }
    if !record.exists() {
        return Err(GenesisRecordError::Unrecorded {
            dir: dir.to_path_buf(),
        }
        .into());
    }
    let unreadable = |error| GenesisRecordError::Unreadable {
        record: record.clone(),
        error,
    };
    let text = GenesisConfig::read_text(&record).map_err(unreadable)?;
    let node = gas_schedule_fingerprint(prices);
    if let Some(stored) = recorded_schedule(&text)
        && stored != node
    {
        return Err(GenesisRecordError::GasSchedule {
            dir: dir.to_path_buf(),
            stored,
            node,
        }
        .into());
    }
    let stored = GenesisConfig::parse(&text, prices).map_err(unreadable)?;
    if let GenesisSource::File(path) = given {
        let asked = GenesisConfig::load(path, prices).map_err(ConfigError::from)?;
        if let Some(field) = first_difference(&stored, &asked) {
            return Err(GenesisRecordError::Differs {
                dir: dir.to_path_buf(),
                record,
                field,
                given: path.clone(),
            }
            .into());
        }
    }
    Ok(stored)
}

/// The `gas_schedule` string of a genesis TOML, if it has one.
fn recorded_schedule(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    table.get("gas_schedule")?.as_str().map(str::to_owned)
}

/// The first top-level field in which `a` and `b` differ.
fn first_difference(a: &GenesisConfig, b: &GenesisConfig) -> Option<&'static str> {
    let fields: [(&'static str, bool); 9] = [
        ("chain_id", a.chain_id == b.chain_id),
        ("block_gas_limit", a.block_gas_limit == b.block_gas_limit),
        ("block_emission", a.block_emission == b.block_emission),
        ("gas_schedule", a.gas_schedule == b.gas_schedule),
        ("consensus", a.consensus == b.consensus),
        ("stake", a.stake == b.stake),
        ("committee", a.committee == b.committee),
        ("accounts", a.accounts == b.accounts),
        ("provisioners", a.provisioners == b.provisioners),
    ];
    fields
        .into_iter()
        .find_map(|(field, same)| (!same).then_some(field))
}

/// Write `text` to `record` whole or not at all (a temporary file renamed over it).
fn write_record(record: &Path, text: &str) -> Result<(), GenesisRecordError> {
    let temporary = record.with_extension("toml.new");
    let write_error = |error| GenesisRecordError::Write {
        path: record.to_path_buf(),
        error,
    };
    std::fs::write(&temporary, text).map_err(write_error)?;
    std::fs::rename(&temporary, record).map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices() -> PriceTable {
        PriceTable::default()
    }

    /// A genesis file `name` in `dir`: `base` with the first `from` replaced by `to`.
    fn variant(dir: &Path, name: &str, base: &str, from: &str, to: &str) -> PathBuf {
        assert!(base.contains(from), "{from}");
        let path = dir.join(name);
        std::fs::write(&path, base.replacen(from, to, 1)).expect("written");
        path
    }

    /// The default genesis with another chain id, as `custom.toml` in `dir`.
    fn other_chain(dir: &Path) -> PathBuf {
        variant(
            dir,
            "custom.toml",
            DEFAULT_GENESIS_TOML,
            "chain_id = ",
            "chain_id = 9",
        )
    }

    #[test]
    fn a_new_directory_records_the_genesis_it_starts_with() {
        let dir = tempfile::tempdir().expect("a directory");
        let genesis = settle(dir.path(), &GenesisSource::Default, &prices()).expect("settled");
        let recorded = std::fs::read_to_string(dir.path().join(GENESIS_FILE)).expect("recorded");
        assert_eq!(recorded, DEFAULT_GENESIS_TOML);
        assert_eq!(genesis, GenesisConfig::default_devnet().expect("default"));
    }

    #[test]
    fn a_chain_resumes_its_recorded_genesis_and_refuses_another() {
        let dir = tempfile::tempdir().expect("a directory");
        let files = tempfile::tempdir().expect("a directory");
        let custom = other_chain(files.path());
        let made = settle(dir.path(), &GenesisSource::File(custom.clone()), &prices())
            .expect("a new chain");
        std::fs::create_dir(dir.path().join(FIRST_NODE_DIR)).expect("a node directory");
        // Without --genesis: the recorded one, not the default.
        let resumed = settle(dir.path(), &GenesisSource::Default, &prices()).expect("resumed");
        assert_eq!(resumed, made);
        assert_ne!(
            resumed.chain_id,
            GenesisConfig::default_devnet().unwrap().chain_id
        );
        // The same file again: resumed.
        let again =
            settle(dir.path(), &GenesisSource::File(custom.clone()), &prices()).expect("same");
        assert_eq!(again, made);
        // Another file: refused, naming the field.
        let custom_text = std::fs::read_to_string(&custom).expect("readable");
        let other = variant(
            files.path(),
            "other.toml",
            &custom_text,
            "block_gas_limit = ",
            "block_gas_limit = 1",
        );
        let Err(SettleError::Record(e)) =
            settle(dir.path(), &GenesisSource::File(other), &prices())
        else {
            panic!("another genesis must be refused");
        };
        assert!(
            matches!(
                e,
                GenesisRecordError::Differs {
                    field: "block_gas_limit",
                    ..
                }
            ),
            "{e}"
        );
        // The record was not touched by the refusal.
        assert_eq!(
            GenesisConfig::load(&dir.path().join(GENESIS_FILE), &prices()).expect("record"),
            made
        );
    }

    #[test]
    fn a_chain_of_another_gas_schedule_is_refused_naming_both() {
        let dir = tempfile::tempdir().expect("a directory");
        settle(dir.path(), &GenesisSource::Default, &prices()).expect("a new chain");
        std::fs::create_dir(dir.path().join(FIRST_NODE_DIR)).expect("a node directory");
        let node = gas_schedule_fingerprint(&prices());
        let mut cheaper = prices();
        cheaper.storage_commit_per_byte -= 1;
        let stored = gas_schedule_fingerprint(&cheaper);
        // The record a node-lite with other prices would have written.
        let record = dir.path().join(GENESIS_FILE);
        std::fs::write(&record, DEFAULT_GENESIS_TOML.replace(&node, &stored)).expect("written");
        let Err(SettleError::Record(e)) = settle(dir.path(), &GenesisSource::Default, &prices())
        else {
            panic!("a chain of another gas schedule must be refused");
        };
        let message = e.to_string();
        assert!(
            matches!(e, GenesisRecordError::GasSchedule { .. })
                && message.contains(&stored)
                && message.contains(&node),
            "{message}"
        );
    }

    #[test]
    fn a_chain_without_a_record_is_refused_and_a_record_without_a_chain_replaced() {
        let dir = tempfile::tempdir().expect("a directory");
        std::fs::create_dir(dir.path().join(FIRST_NODE_DIR)).expect("a node directory");
        let Err(SettleError::Record(e)) = settle(dir.path(), &GenesisSource::Default, &prices())
        else {
            panic!("an unrecorded chain must be refused");
        };
        assert!(matches!(e, GenesisRecordError::Unrecorded { .. }), "{e}");
        assert!(!dir.path().join(GENESIS_FILE).exists());

        let fresh = tempfile::tempdir().expect("a directory");
        let files = tempfile::tempdir().expect("a directory");
        let custom = other_chain(files.path());
        settle(fresh.path(), &GenesisSource::File(custom), &prices()).expect("recorded");
        let genesis = settle(fresh.path(), &GenesisSource::Default, &prices()).expect("replaced");
        assert_eq!(genesis, GenesisConfig::default_devnet().expect("default"));
    }

    #[test]
    fn an_invalid_genesis_leaves_no_record() {
        let dir = tempfile::tempdir().expect("a directory");
        let files = tempfile::tempdir().expect("a directory");
        let bad = variant(
            files.path(),
            "bad.toml",
            DEFAULT_GENESIS_TOML,
            "block_gas_limit = ",
            "block_gas_limit = 0 #",
        );
        let Err(SettleError::Config(_)) = settle(dir.path(), &GenesisSource::File(bad), &prices())
        else {
            panic!("an invalid genesis must be refused");
        };
        assert!(!dir.path().join(GENESIS_FILE).exists());
    }
}
