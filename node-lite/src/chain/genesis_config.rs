//! The genesis file: a chain's id, accounts, provisioners and parameters, in TOML.
//!
//! ```toml
//! chain_id = 7357
//! block_gas_limit = 1_000_000_000
//! block_emission = 1_000_000
//! gas_schedule = "…64 hex characters…"   # see chain::gas_schedule
//!
//! [consensus]                 # step timeouts of the consensus, in milliseconds
//! min_step_timeout_ms = 250
//! initial_step_timeout_ms = 1_000
//! max_step_timeout_ms = 4_000
//! timeout_increase_ms = 250
//!
//! [stake]                     # genesis_types::stake::StakeParams, minus the transfer id
//! minimum_stake = 1_000
//! epoch_length = 100
//! # …
//!
//! [committee]                 # genesis_types::committee::CommitteeParams, minus the stake id
//! mode = "private"
//! # …
//!
//! [[accounts]]                # a prefunded account: a seed (dev key) or an address
//! seed = "dev-0"
//! balance = 1_000_000_000_000
//!
//! [[provisioners]]            # a provisioner: its key seed and its stake at genesis
//! seed = "provisioner-0"
//! stake = 1_000_000
//! ```
//!
//! The embedded default ([`GenesisConfig::default_devnet`], `default-genesis.toml`) has four
//! provisioners with equal stakes and ten dev accounts. Amounts are integers or decimal strings
//! (TOML integers stop at 2⁶³ − 1; a token amount is a `u128`).
//!
//! A file that does not parse, or holds an unknown key, is refused with [`GenesisConfigError::Parse`]
//! naming the field (its dotted path, e.g. `stake.epoch_length` or `provisioners[2].stake`) and the
//! line; a file that parses but breaks a rule (zero stake, a duplicate provisioner, parameters out
//! of their bounds, a gas schedule other than the node's) with [`GenesisConfigError::Invalid`]
//! naming the field.
//!
//! The stake and committee parameters deserialize straight into `genesis-types`' own
//! [`StakeParams`] and [`CommitteeParams`] (serde's remote derive below is checked by the compiler
//! against those structs); the contract ids in them are filled in when the genesis contracts are
//! deployed (`chain::genesis_state`).

use super::gas_schedule::gas_schedule_fingerprint;
use super::keys::{AccountKey, provisioner_key};
use genesis_types::committee::{CommitteeParams, MAX_STEP_CREDITS, Mode};
use genesis_types::stake::{StakeParams, Step};
use host_api::{Address, ContractId};
use runtime::PriceTable;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The default devnet genesis, embedded in the binary.
pub const DEFAULT_GENESIS_TOML: &str = include_str!("default-genesis.toml");

/// Largest genesis file read, in bytes.
pub const MAX_GENESIS_FILE_BYTES: u64 = 1024 * 1024;
/// Most prefunded accounts in a genesis file.
pub const MAX_GENESIS_ACCOUNTS: usize = 10_000;
/// Most provisioners in a genesis file.
pub const MAX_GENESIS_PROVISIONERS: usize = 1_000;
/// Longest key seed, in bytes.
pub const MAX_SEED_BYTES: usize = 256;

/// A genesis file, parsed and validated.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisConfig {
    /// The chain's id: every transaction signs it, so a transaction of one chain never verifies
    /// on another.
    pub chain_id: u64,
    /// The most gas the transactions of one block may spend together.
    pub block_gas_limit: u64,
    /// New tokens each block creates, shared between its generator and voters
    /// (`chain::rewards`); 0 for none.
    #[serde(deserialize_with = "amount")]
    pub block_emission: u128,
    /// The gas schedule's fingerprint (see `chain::gas_schedule`): a node whose schedule differs
    /// refuses the file.
    pub gas_schedule: String,
    /// The consensus's step timeouts.
    pub consensus: ConsensusTimeouts,
    /// The stake contract's parameters (`transfer` is set at deploy).
    #[serde(with = "StakeParamsDef")]
    pub stake: StakeParams,
    /// The committee contract's parameters (`stake` is set at deploy).
    #[serde(with = "CommitteeParamsDef")]
    pub committee: CommitteeParams,
    /// Prefunded accounts.
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// The provisioners staked at genesis (at least one).
    #[serde(default)]
    pub provisioners: Vec<ProvisionerConfig>,
}

/// The consensus's step timeouts, in milliseconds (the names and rules of
/// `node-lite/consensus`'s `Config`: `0 < min ≤ initial ≤ max`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusTimeouts {
    /// The lowest a step's timeout goes.
    pub min_step_timeout_ms: u64,
    /// A step's timeout before any step succeeded.
    pub initial_step_timeout_ms: u64,
    /// The most a step's timeout grows to.
    pub max_step_timeout_ms: u64,
    /// How much a step's timeout grows after it timed out.
    pub timeout_increase_ms: u64,
}

/// A prefunded account: give `seed` (a dev account whose key anyone can derive) or `address`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The seed of the account's key ([`AccountKey::from_seed`]).
    pub seed: Option<String>,
    /// The account's address, 64 hex characters.
    pub address: Option<String>,
    /// Its balance at genesis.
    #[serde(deserialize_with = "amount")]
    pub balance: u128,
}

/// A provisioner staked at genesis.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionerConfig {
    /// The seed of its BLS key ([`provisioner_key`]) and of its owner account
    /// ([`AccountKey::provisioner_owner`]).
    pub seed: String,
    /// Its stake: minted to its owner, then staked.
    #[serde(deserialize_with = "amount")]
    pub stake: u128,
}

#[derive(Deserialize)]
#[serde(remote = "StakeParams", deny_unknown_fields)]
struct StakeParamsDef {
    #[serde(skip)]
    transfer: ContractId,
    #[serde(deserialize_with = "amount")]
    minimum_stake: u128,
    epoch_length: u64,
    maturity_epochs: u64,
    eligibility_epochs: u64,
    miss_limit: u32,
    suspension_epochs: u64,
    slash_basis_points: u16,
}

#[derive(Deserialize)]
#[serde(remote = "Mode", rename_all = "lowercase")]
enum ModeDef {
    Private,
    Public,
}

#[derive(Deserialize)]
#[serde(remote = "CommitteeParams", deny_unknown_fields)]
struct CommitteeParamsDef {
    #[serde(skip)]
    stake: ContractId,
    #[serde(with = "ModeDef")]
    mode: Mode,
    #[serde(deserialize_with = "amount")]
    credit_unit: u128,
    proposal_credits: u32,
    validation_credits: u32,
    ratification_credits: u32,
}

/// A token amount: a non-negative TOML integer, or a decimal string (for amounts past 2⁶³).
fn amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
    struct AmountVisitor;
    impl Visitor<'_> for AmountVisitor {
        type Value = u128;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer or a decimal string")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u128, E> {
            u128::try_from(v).map_err(|_| E::custom(format!("negative amount {v}")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u128, E> {
            Ok(u128::from(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u128, E> {
            v.replace('_', "")
                .parse()
                .map_err(|_| E::custom(format!("`{v}` is not a decimal amount")))
        }
    }
    deserializer.deserialize_any(AmountVisitor)
}

/// Why a genesis file was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenesisConfigError {
    /// The file could not be read.
    #[error("reading genesis file {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The file is larger than [`MAX_GENESIS_FILE_BYTES`].
    #[error("genesis file {path} is {size} bytes, over the {max}-byte limit")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Not TOML, or not the genesis file's shape (a missing, unknown or mistyped field).
    #[error("genesis file, line {line}, `{field}`: {message}")]
    Parse {
        /// The dotted path of the field (`stake.epoch_length`, `provisioners[2].stake`); empty
        /// at the top level.
        field: String,
        /// The line (1-based), 0 when unknown.
        line: usize,
        /// What toml said.
        message: String,
    },
    /// A field breaks a rule of the genesis.
    #[error("genesis file, `{field}`: {problem}")]
    Invalid {
        /// The dotted path of the field.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> GenesisConfigError {
    GenesisConfigError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

impl GenesisConfig {
    /// The embedded default devnet genesis ([`DEFAULT_GENESIS_TOML`]).
    ///
    /// # Errors
    /// Only if the embedded file is broken or the node's gas schedule changed without it (a
    /// test checks both).
    pub fn default_devnet() -> Result<Self, GenesisConfigError> {
        Self::parse(DEFAULT_GENESIS_TOML, &PriceTable::default())
    }

    /// Read and validate a genesis file against the node's gas `prices`.
    ///
    /// # Errors
    /// See [`GenesisConfigError`].
    pub fn load(path: &Path, prices: &PriceTable) -> Result<Self, GenesisConfigError> {
        Self::parse(&Self::read_text(path)?, prices)
    }

    /// Read a genesis file's text, refusing one over [`MAX_GENESIS_FILE_BYTES`].
    ///
    /// # Errors
    /// [`GenesisConfigError::Read`] or [`GenesisConfigError::TooLarge`].
    pub fn read_text(path: &Path) -> Result<String, GenesisConfigError> {
        let read_error = |e: std::io::Error| GenesisConfigError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let size = std::fs::metadata(path).map_err(read_error)?.len();
        if size > MAX_GENESIS_FILE_BYTES {
            return Err(GenesisConfigError::TooLarge {
                path: path.display().to_string(),
                size,
                max: MAX_GENESIS_FILE_BYTES,
            });
        }
        std::fs::read_to_string(path).map_err(read_error)
    }

    /// Parse and validate genesis TOML against the node's gas `prices`.
    ///
    /// # Errors
    /// See [`GenesisConfigError`].
    pub fn parse(text: &str, prices: &PriceTable) -> Result<Self, GenesisConfigError> {
        let config: GenesisConfig = toml::from_str(text).map_err(|e| {
            let (field, line) = match e.span() {
                Some(span) => field_at(text, span.start),
                None => (String::new(), 0),
            };
            GenesisConfigError::Parse {
                field,
                line,
                message: e.message().to_string(),
            }
        })?;
        config.validate(prices)?;
        Ok(config)
    }

    /// Check every rule a parsed file must also follow.
    ///
    /// # Errors
    /// The first broken rule, naming its field.
    pub fn validate(&self, prices: &PriceTable) -> Result<(), GenesisConfigError> {
        let expected = gas_schedule_fingerprint(prices);
        if self.gas_schedule != expected {
            return Err(invalid(
                "gas_schedule",
                format!(
                    "`{}` is not this node's gas schedule `{expected}`",
                    self.gas_schedule
                ),
            ));
        }
        if self.block_gas_limit == 0 {
            return Err(invalid("block_gas_limit", "must be at least 1"));
        }
        self.validate_consensus()?;
        self.validate_stake()?;
        self.validate_committee()?;
        let mut supply: u128 = 0;
        let mut add = |field: String, amount: u128| {
            supply = supply
                .checked_add(amount)
                .ok_or_else(|| invalid(field, "the total supply would overflow a u128"))?;
            Ok::<(), GenesisConfigError>(())
        };
        if self.accounts.len() > MAX_GENESIS_ACCOUNTS {
            return Err(invalid(
                "accounts",
                format!(
                    "{} accounts, over the limit of {MAX_GENESIS_ACCOUNTS}",
                    self.accounts.len()
                ),
            ));
        }
        let mut addresses: BTreeMap<Address, usize> = BTreeMap::new();
        for (i, account) in self.accounts.iter().enumerate() {
            let field = format!("accounts[{i}]");
            let address = account.resolve(&field)?;
            if let Some(first) = addresses.insert(address, i) {
                return Err(invalid(
                    field,
                    format!("the same address as accounts[{first}]"),
                ));
            }
            add(format!("{field}.balance"), account.balance)?;
        }
        if self.provisioners.is_empty() {
            return Err(invalid("provisioners", "a chain needs at least one"));
        }
        if self.provisioners.len() > MAX_GENESIS_PROVISIONERS {
            return Err(invalid(
                "provisioners",
                format!(
                    "{} provisioners, over the limit of {MAX_GENESIS_PROVISIONERS}",
                    self.provisioners.len()
                ),
            ));
        }
        let mut seeds: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, p) in self.provisioners.iter().enumerate() {
            let field = format!("provisioners[{i}]");
            check_seed(&format!("{field}.seed"), &p.seed)?;
            if let Some(first) = seeds.insert(&p.seed, i) {
                return Err(invalid(
                    format!("{field}.seed"),
                    format!("duplicates provisioners[{first}] (the same key)"),
                ));
            }
            if p.stake == 0 {
                return Err(invalid(format!("{field}.stake"), "zero stake"));
            }
            if p.stake < self.stake.minimum_stake {
                return Err(invalid(
                    format!("{field}.stake"),
                    format!(
                        "{} is below stake.minimum_stake {}",
                        p.stake, self.stake.minimum_stake
                    ),
                ));
            }
            add(format!("{field}.stake"), p.stake)?;
        }
        Ok(())
    }

    fn validate_consensus(&self) -> Result<(), GenesisConfigError> {
        let c = &self.consensus;
        if c.min_step_timeout_ms == 0 {
            return Err(invalid(
                "consensus.min_step_timeout_ms",
                "must be at least 1",
            ));
        }
        if c.max_step_timeout_ms < c.min_step_timeout_ms {
            return Err(invalid(
                "consensus.max_step_timeout_ms",
                format!(
                    "{} is below consensus.min_step_timeout_ms {}",
                    c.max_step_timeout_ms, c.min_step_timeout_ms
                ),
            ));
        }
        if !(c.min_step_timeout_ms..=c.max_step_timeout_ms).contains(&c.initial_step_timeout_ms) {
            return Err(invalid(
                "consensus.initial_step_timeout_ms",
                format!(
                    "{} is not between consensus.min_step_timeout_ms {} and \
                     consensus.max_step_timeout_ms {}",
                    c.initial_step_timeout_ms, c.min_step_timeout_ms, c.max_step_timeout_ms
                ),
            ));
        }
        Ok(())
    }

    fn validate_stake(&self) -> Result<(), GenesisConfigError> {
        let s = &self.stake;
        let at_least_one: [(&str, u64); 5] = [
            ("stake.epoch_length", s.epoch_length),
            ("stake.maturity_epochs", s.maturity_epochs),
            ("stake.eligibility_epochs", s.eligibility_epochs),
            ("stake.miss_limit", u64::from(s.miss_limit)),
            ("stake.suspension_epochs", s.suspension_epochs),
        ];
        for (field, value) in at_least_one {
            if value == 0 {
                return Err(invalid(field, "must be at least 1"));
            }
        }
        if s.minimum_stake == 0 {
            return Err(invalid("stake.minimum_stake", "must be at least 1"));
        }
        if !(1..=10_000).contains(&s.slash_basis_points) {
            return Err(invalid(
                "stake.slash_basis_points",
                format!("{} is not in 1..=10000", s.slash_basis_points),
            ));
        }
        if s.maturity_epochs.checked_mul(s.epoch_length).is_none() {
            return Err(invalid(
                "stake.maturity_epochs",
                "maturity_epochs × epoch_length overflows a u64 height",
            ));
        }
        // The contract's own rule, in case it gains one these checks do not know.
        if !s.is_valid() {
            return Err(invalid("stake", "refused by StakeParams::is_valid"));
        }
        Ok(())
    }

    fn validate_committee(&self) -> Result<(), GenesisConfigError> {
        let c = &self.committee;
        if c.credit_unit == 0 {
            return Err(invalid("committee.credit_unit", "must be at least 1"));
        }
        for step in Step::ALL {
            let field = match step {
                Step::Proposal => "committee.proposal_credits",
                Step::Validation => "committee.validation_credits",
                Step::Ratification => "committee.ratification_credits",
            };
            if !(1..=MAX_STEP_CREDITS).contains(&c.credits(step)) {
                return Err(invalid(
                    field,
                    format!("{} is not in 1..={MAX_STEP_CREDITS}", c.credits(step)),
                ));
            }
        }
        if !c.is_valid() {
            return Err(invalid("committee", "refused by CommitteeParams::is_valid"));
        }
        Ok(())
    }

    /// The seeded accounts with their keys and balances, in file order (what a devnet prints,
    /// as anvil prints its dev accounts). Accounts given by address have no key here.
    pub fn dev_accounts(&self) -> Vec<(AccountKey, u128)> {
        self.accounts
            .iter()
            .filter_map(|a| a.key().map(|k| (k, a.balance)))
            .collect()
    }

    /// The height of the genesis state: the last height before the genesis stakes mature. The
    /// provisioners stake at height 0 (epoch 0) and are eligible from epoch `maturity_epochs`,
    /// so the chain's first block, one above this, already has a committee.
    pub fn genesis_height(&self) -> u64 {
        (self.stake.maturity_epochs * self.stake.epoch_length).saturating_sub(1)
    }
}

impl AccountConfig {
    /// The account's address (from its seed or its `address`), checking that exactly one is
    /// given; `field` names the account in errors.
    ///
    /// # Errors
    /// Neither or both given, a bad seed, or an address that is not 64 hex characters.
    pub fn resolve(&self, field: &str) -> Result<Address, GenesisConfigError> {
        match (&self.seed, &self.address) {
            (Some(seed), None) => {
                check_seed(&format!("{field}.seed"), seed)?;
                Ok(AccountKey::from_seed(seed).address())
            }
            (None, Some(address)) => address
                .parse()
                .map_err(|e| invalid(format!("{field}.address"), format!("`{address}`: {e}"))),
            (Some(_), Some(_)) => Err(invalid(field, "give `seed` or `address`, not both")),
            (None, None) => Err(invalid(field, "give `seed` or `address`")),
        }
    }

    /// The dev key of a seeded account (`None` for an address-only account).
    pub fn key(&self) -> Option<AccountKey> {
        self.seed.as_deref().map(AccountKey::from_seed)
    }
}

impl ProvisionerConfig {
    /// Its BLS key.
    pub fn key(&self) -> crate::genesis::ProvisionerKey {
        provisioner_key(&self.seed)
    }

    /// Its owner account.
    pub fn owner(&self) -> AccountKey {
        AccountKey::provisioner_owner(&self.seed)
    }
}

fn check_seed(field: &str, seed: &str) -> Result<(), GenesisConfigError> {
    if seed.is_empty() {
        return Err(invalid(field, "an empty seed"));
    }
    if seed.len() > MAX_SEED_BYTES {
        return Err(invalid(
            field,
            format!("{} bytes, over the {MAX_SEED_BYTES}-byte limit", seed.len()),
        ));
    }
    Ok(())
}

/// The dotted path of the key on the line holding byte `offset` of `text`, with the table it is
/// in (`[stake]` → `stake.…`; the n-th `[[provisioners]]` → `provisioners[n]`), and that line
/// (1-based). toml's errors carry the span of the offending key or value but not its path.
fn field_at(text: &str, offset: usize) -> (String, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_number = before.matches('\n').count() + 1;
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = text[line_start..line_end].trim();
    let is_header = line.starts_with('[');
    // A header line (an error about a table itself, e.g. a missing field) names its own table.
    let scan_end = if is_header { line_end } else { line_start };
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for header in text[..scan_end].lines().map(str::trim) {
        if let Some(name) = header.strip_prefix("[[").and_then(|h| h.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            table = format!("{name}[{n}]");
            *n += 1;
        } else if let Some(name) = header.strip_prefix('[').and_then(|h| h.split(']').next()) {
            table = name.trim().to_string();
        }
    }
    let key = if is_header || line.starts_with('#') {
        ""
    } else {
        line.split('=').next().unwrap_or("").trim()
    };
    let field = match (table.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    };
    (field, line_number)
}

#[cfg(test)]
#[path = "genesis_config_tests.rs"]
mod tests;
