use super::*;
use crate::chain::genesis_state::build_genesis;
use runtime::{MemoryStore, StateStore};
use std::sync::Arc;

fn prices() -> PriceTable {
    PriceTable::default()
}

/// The default file with `from` replaced by `to` (which must occur exactly once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(
        DEFAULT_GENESIS_TOML.matches(from).count(),
        1,
        "`{from}` must occur once in the default genesis"
    );
    DEFAULT_GENESIS_TOML.replacen(from, to, 1)
}

fn parse_error(text: &str) -> (String, usize, String) {
    match GenesisConfig::parse(text, &prices()) {
        Err(GenesisConfigError::Parse {
            field,
            line,
            message,
        }) => (field, line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn invalid_field(text: &str) -> String {
    match GenesisConfig::parse(text, &prices()) {
        Err(GenesisConfigError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn the_default_genesis_is_valid_and_matches_the_node_gas_schedule() {
    let config = GenesisConfig::default_devnet().expect("the embedded genesis is valid");
    assert_eq!(config.provisioners.len(), 4);
    assert!(
        config
            .provisioners
            .windows(2)
            .all(|w| w[0].stake == w[1].stake),
        "equal stakes"
    );
    assert_eq!(config.accounts.len(), 10);
    let dev = config.dev_accounts();
    assert_eq!(dev.len(), 10);
    assert_eq!(dev[3].0.address(), AccountKey::from_seed("dev-3").address());
    assert!(
        dev.iter()
            .all(|(_, balance)| *balance == 1_000_000_000_000_000)
    );
    assert_eq!(config.gas_schedule, gas_schedule_fingerprint(&prices()));
    assert_eq!(config.genesis_height(), 99);
    assert_eq!(config.block_emission, 1_000_000);
}

#[test]
fn the_default_genesis_builds_to_the_same_root_twice() {
    let runtime = crate::chain::shared_test_runtime();
    let config = GenesisConfig::default_devnet().unwrap();
    let build = || {
        let store = Arc::new(MemoryStore::new());
        let state = build_genesis(&runtime, store.clone(), &config).expect("genesis builds");
        assert_eq!(state.root, store.root().unwrap(), "committed");
        state
    };
    let first = build();
    let second = build();
    assert_eq!(first, second, "same contracts, same root, same height");
    assert_ne!(first.root, MemoryStore::new().root().unwrap());
}

#[test]
fn a_syntax_error_names_its_line() {
    let (_, line, _) = parse_error(&edited("chain_id = 7357", "chain_id = = 7357"));
    let expected = DEFAULT_GENESIS_TOML
        .lines()
        .position(|l| l.starts_with("chain_id"))
        .unwrap()
        + 1;
    assert_eq!(line, expected);
}

#[test]
fn a_mistyped_field_is_named_with_its_table() {
    let (field, _, message) = parse_error(&edited("epoch_length = 100", "epoch_length = \"x\""));
    assert_eq!(field, "stake.epoch_length", "{message}");
    let (field, _, _) = parse_error(&edited(
        "seed = \"provisioner-2\"\nstake = 1_000_000",
        "seed = \"provisioner-2\"\nstake = -5",
    ));
    assert_eq!(field, "provisioners[2].stake");
    let (field, _, _) = parse_error(&edited("mode = \"private\"", "mode = \"secret\""));
    assert_eq!(field, "committee.mode");
}

#[test]
fn an_unknown_field_is_named() {
    let (field, _, message) =
        parse_error(&edited("miss_limit = 3", "miss_limit = 3\nmiss_limt = 4"));
    assert_eq!(field, "stake.miss_limt", "{message}");
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn a_missing_field_is_named() {
    let (field, _, message) = parse_error(&edited("suspension_epochs = 2\n", ""));
    assert!(message.contains("suspension_epochs"), "{message}");
    assert_eq!(field, "stake");
}

#[test]
fn amounts_past_i64_are_decimal_strings() {
    let config = GenesisConfig::parse(
        &edited(
            "seed = \"dev-9\"\nbalance = 1_000_000_000_000_000",
            "seed = \"dev-9\"\nbalance = \"340282366920938463463374607431768211455\"",
        ),
        &prices(),
    );
    // u128::MAX plus the other balances overflows the supply: named.
    assert!(
        matches!(
            config,
            Err(GenesisConfigError::Invalid { ref field, .. }) if field == "accounts[9].balance"
        ),
        "{config:?}"
    );
    let config = GenesisConfig::parse(
        &edited(
            "seed = \"dev-9\"\nbalance = 1_000_000_000_000_000",
            "seed = \"dev-9\"\nbalance = \"100_000_000_000_000_000_000\"",
        ),
        &prices(),
    )
    .unwrap();
    assert_eq!(config.accounts[9].balance, 100_000_000_000_000_000_000);
}

#[test]
fn semantic_errors_name_their_field() {
    let cases: [(&str, &str, &str); 14] = [
        (
            "seed = \"provisioner-1\"\nstake = 1_000_000",
            "seed = \"provisioner-1\"\nstake = 0",
            "provisioners[1].stake",
        ),
        (
            "seed = \"provisioner-1\"\nstake = 1_000_000",
            "seed = \"provisioner-1\"\nstake = 999",
            "provisioners[1].stake",
        ),
        (
            "seed = \"provisioner-3\"",
            "seed = \"provisioner-0\"",
            "provisioners[3].seed",
        ),
        (
            "epoch_length = 100",
            "epoch_length = 0",
            "stake.epoch_length",
        ),
        (
            "maturity_epochs = 1",
            "maturity_epochs = 0",
            "stake.maturity_epochs",
        ),
        (
            "slash_basis_points = 1_000",
            "slash_basis_points = 10_001",
            "stake.slash_basis_points",
        ),
        (
            "minimum_stake = 1_000",
            "minimum_stake = 0",
            "stake.minimum_stake",
        ),
        (
            "validation_credits = 64",
            "validation_credits = 10_001",
            "committee.validation_credits",
        ),
        (
            "credit_unit = 1",
            "credit_unit = 0",
            "committee.credit_unit",
        ),
        (
            "max_step_timeout_ms = 8_000",
            "max_step_timeout_ms = 100",
            "consensus.max_step_timeout_ms",
        ),
        (
            "initial_step_timeout_ms = 1_000",
            "initial_step_timeout_ms = 9_000",
            "consensus.initial_step_timeout_ms",
        ),
        (
            "min_step_timeout_ms = 250",
            "min_step_timeout_ms = 0",
            "consensus.min_step_timeout_ms",
        ),
        (
            "block_gas_limit = 4_000_000_000",
            "block_gas_limit = 0",
            "block_gas_limit",
        ),
        ("seed = \"dev-4\"", "seed = \"dev-3\"", "accounts[4]"),
    ];
    for (from, to, field) in cases {
        assert_eq!(invalid_field(&edited(from, to)), field, "{to}");
    }
    let fingerprint = gas_schedule_fingerprint(&prices());
    assert_eq!(
        invalid_field(&edited(&fingerprint, &"0".repeat(64))),
        "gas_schedule"
    );
    let mut other_prices = prices();
    other_prices.call_base += 1;
    assert!(matches!(
        GenesisConfig::parse(DEFAULT_GENESIS_TOML, &other_prices),
        Err(GenesisConfigError::Invalid { field, .. }) if field == "gas_schedule"
    ));
    assert_eq!(
        invalid_field(&edited("seed = \"dev-0\"", "address = \"12\"")),
        "accounts[0].address"
    );
    assert_eq!(
        invalid_field(&edited("seed = \"dev-0\"", "seed = \"\"")),
        "accounts[0].seed"
    );
    assert_eq!(
        invalid_field(&edited(
            "seed = \"dev-0\"",
            &format!("seed = \"dev-0\"\naddress = \"{}\"", "ab".repeat(32))
        )),
        "accounts[0]"
    );
}

/// A minimal valid file with `accounts` dev accounts and `provisioners` provisioners.
fn generated(accounts: usize, provisioners: usize) -> String {
    let head = &DEFAULT_GENESIS_TOML[..DEFAULT_GENESIS_TOML.find("[[provisioners]]").unwrap()];
    let mut text = head.to_string();
    for i in 0..provisioners {
        text += &format!("[[provisioners]]\nseed = \"p{i}\"\nstake = 1000\n");
    }
    for i in 0..accounts {
        text += &format!("[[accounts]]\naddress = \"{i:064x}\"\nbalance = 1\n");
    }
    text
}

#[test]
fn account_and_provisioner_counts_at_the_limit_and_one_past() {
    let config = GenesisConfig::parse(&generated(MAX_GENESIS_ACCOUNTS, 1), &prices()).unwrap();
    assert_eq!(config.accounts.len(), MAX_GENESIS_ACCOUNTS);
    assert_eq!(
        invalid_field(&generated(MAX_GENESIS_ACCOUNTS + 1, 1)),
        "accounts"
    );
    let config = GenesisConfig::parse(&generated(0, MAX_GENESIS_PROVISIONERS), &prices()).unwrap();
    assert_eq!(config.provisioners.len(), MAX_GENESIS_PROVISIONERS);
    assert_eq!(
        invalid_field(&generated(0, MAX_GENESIS_PROVISIONERS + 1)),
        "provisioners"
    );
    assert_eq!(invalid_field(&generated(1, 0)), "provisioners");
}

#[test]
fn seed_length_at_the_limit_and_one_past() {
    let at = "s".repeat(MAX_SEED_BYTES);
    let past = "s".repeat(MAX_SEED_BYTES + 1);
    assert!(
        GenesisConfig::parse(
            &edited("seed = \"dev-0\"", &format!("seed = \"{at}\"")),
            &prices()
        )
        .is_ok()
    );
    assert_eq!(
        invalid_field(&edited("seed = \"dev-0\"", &format!("seed = \"{past}\""))),
        "accounts[0].seed"
    );
}

#[test]
fn file_size_at_the_limit_and_one_past() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("genesis.toml");
    let pad = |total: usize| {
        let mut text = DEFAULT_GENESIS_TOML.to_string();
        text.push('#');
        text += &"x".repeat(total - text.len() - 1);
        text.push('\n');
        text
    };
    std::fs::write(&path, pad(MAX_GENESIS_FILE_BYTES as usize)).unwrap();
    assert!(GenesisConfig::load(&path, &prices()).is_ok());
    std::fs::write(&path, pad(MAX_GENESIS_FILE_BYTES as usize + 1)).unwrap();
    assert!(matches!(
        GenesisConfig::load(&path, &prices()),
        Err(GenesisConfigError::TooLarge { size, .. }) if size == MAX_GENESIS_FILE_BYTES + 1
    ));
    assert!(matches!(
        GenesisConfig::load(&dir.path().join("missing.toml"), &prices()),
        Err(GenesisConfigError::Read { .. })
    ));
}

#[test]
fn the_resident_modules_are_the_code_the_genesis_state_holds() {
    let runtime = crate::chain::shared_test_runtime();
    let config = GenesisConfig::default_devnet().unwrap();
    let store = Arc::new(MemoryStore::new());
    let state = build_genesis(&runtime, store.clone(), &config).expect("genesis builds");
    let c = state.contracts;
    let held: std::collections::BTreeSet<_> = [
        c.genesis.transfer,
        c.genesis.stake,
        c.genesis.committee,
        c.nonces,
    ]
    .iter()
    .map(|id| store.contract(id).unwrap().expect("deployed").code_hash())
    .collect();
    assert_eq!(held.len(), 4, "four distinct modules");
    assert_eq!(held, crate::chain::resident_code());
    assert!(held.iter().all(|h| runtime.is_resident(h)));
}
