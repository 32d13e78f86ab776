//! The genesis contracts — `transfer`, `stake`, `committee` — driven through their public and
//! host-only entry points, as the node drives them; and the sortition math they share with the
//! node (`genesis_types::sortition`), checked natively for fairness.

mod committee;
mod gas_golden;
mod lifecycle;
mod protocol_only;
mod sortition;
mod stake;
mod transfer;

use borsh::{BorshDeserialize, BorshSerialize};
use dusk_bytes::Serializable;
use genesis_types::committee::{CommitteeParams, Mode};
use genesis_types::stake::{Eligible, StakeInfo, StakeParams, proof_of_possession_message};
use genesis_types::{BlsPublicKey, BlsSignature};
use host_api::{Address, ContractId};
use integration_tests::contract_wasm;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use runtime::Receipt;
use runtime::testing::{Harness, account, decode_error};

/// Enough gas for the heaviest genesis call (a slash: two BLS verifications, 60 M gas).
pub const GAS: u64 = 400_000_000;
/// Blocks per epoch in these tests.
pub const EPOCH: u64 = 10;
/// The minimum stake in these tests.
pub const MINIMUM: u128 = 1_000;

/// The three genesis contracts deployed and initialised in an in-process harness.
pub struct Chain {
    /// The harness (its block height is the chain's).
    pub h: Harness,
    /// The native token.
    pub transfer: ContractId,
    /// Stakes.
    pub stake: ContractId,
    /// Committees.
    pub committee: ContractId,
}

/// The stake parameters of these tests: epochs of 10 blocks, maturity 1 epoch, windows of 4,
/// suspension after 3 misses for 2 epochs, 10 % slashed.
pub fn stake_params(transfer: ContractId) -> StakeParams {
    StakeParams {
        transfer,
        minimum_stake: MINIMUM,
        epoch_length: EPOCH,
        maturity_epochs: 1,
        eligibility_epochs: 4,
        miss_limit: 3,
        suspension_epochs: 2,
        slash_basis_points: 1_000,
    }
}

/// Committee parameters: one lot per token; 5 expected proposal credits in private mode (1 in
/// public mode), 64 for validation and ratification.
pub fn committee_params(stake: ContractId, mode: Mode) -> CommitteeParams {
    CommitteeParams::with_default_sizes(stake, mode, 1)
}

pub fn encode<T: BorshSerialize + ?Sized>(value: &T) -> Vec<u8> {
    borsh::to_vec(value).expect("encode")
}

/// The runtime of these tests (one per test process): the genesis contracts resident, as on
/// the devnet (`node_lite::chain::resident_code`), so their calls pay no load.
pub fn genesis_runtime() -> runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let config = runtime::RuntimeConfig::test()
                .with_resident_code(node_lite::chain::resident_code());
            runtime::Runtime::new(config).expect("runtime")
        })
        .clone()
}

impl Chain {
    /// Deploy and initialise the three contracts, on [`genesis_runtime`].
    pub fn new(mode: Mode) -> Self {
        Self::with_harness(Harness::with_runtime(genesis_runtime()), mode)
    }

    /// Deploy and initialise the three contracts in `h`.
    pub fn with_harness(mut h: Harness, mode: Mode) -> Self {
        h.set_default_gas_limit(GAS);
        let transfer = h
            .deploy("transfer", &contract_wasm("transfer"))
            .expect("deploy");
        let stake = h.deploy("stake", &contract_wasm("stake")).expect("deploy");
        let committee = h
            .deploy("committee", &contract_wasm("committee"))
            .expect("deploy");
        let mut chain = Chain {
            h,
            transfer,
            stake,
            committee,
        };
        chain.protocol_ok(stake, "init", &stake_params(transfer));
        chain.protocol_ok(committee, "init", &committee_params(stake, mode));
        chain
    }

    /// A host-only call as the protocol.
    pub fn protocol<T: BorshSerialize + ?Sized>(
        &mut self,
        contract: ContractId,
        function: &str,
        args: &T,
    ) -> Receipt {
        self.h
            .call_protocol(contract, function, &encode(args))
            .expect("host")
    }

    /// A host-only call that must succeed.
    pub fn protocol_ok<T: BorshSerialize + ?Sized>(
        &mut self,
        contract: ContractId,
        function: &str,
        args: &T,
    ) -> Receipt {
        let r = self.protocol(contract, function, args);
        assert!(r.is_success(), "{function}: {:?}", r.result);
        r
    }

    /// A call by `caller`.
    pub fn call<T: BorshSerialize + ?Sized>(
        &mut self,
        caller: Address,
        contract: ContractId,
        function: &str,
        args: &T,
    ) -> Receipt {
        self.h
            .call(contract, function)
            .caller(caller)
            .args(args)
            .send()
            .expect("host")
    }

    /// A query's decoded answer (of a `Result` entry point: its `Ok` value; an error panics).
    pub fn query<T: BorshSerialize + ?Sized, R: BorshDeserialize>(
        &mut self,
        contract: ContractId,
        function: &str,
        args: &T,
    ) -> R {
        self.h
            .call(contract, function)
            .caller(account("observer"))
            .args(args)
            .ok::<R>()
            .unwrap_or_else(|e| panic!("{function}: {e}"))
    }

    /// Mint `amount` to `to` (a protocol call).
    pub fn mint(&mut self, to: Address, amount: u128) {
        self.protocol_ok(self.transfer, "mint", &(to, amount));
    }

    /// `who`'s native-token balance.
    pub fn balance(&mut self, who: Address) -> u128 {
        self.query(self.transfer, "balance_of", &who)
    }

    /// The token supply.
    pub fn supply(&mut self) -> u128 {
        self.query(self.transfer, "total_supply", &())
    }

    /// Move to the first block of `epoch`.
    pub fn set_epoch(&mut self, epoch: u64) {
        self.h.set_block_height(epoch * EPOCH);
    }

    /// Approve the stake contract and stake `amount` under `p`'s key (the owner must hold it).
    pub fn stake(&mut self, p: &Provisioner, amount: u128) -> Receipt {
        let approve = self.call(
            p.owner,
            self.transfer,
            "approve",
            &(Address::from(self.stake), amount),
        );
        assert!(approve.is_success());
        let pop = p.proof_of_possession(self.stake);
        self.call(p.owner, self.stake, "stake", &(p.key, amount, pop))
    }

    /// Mint to `p`'s owner and stake it all; must succeed.
    pub fn fund_and_stake(&mut self, p: &Provisioner, amount: u128) {
        self.mint(p.owner, amount);
        let r = self.stake(p, amount);
        assert!(r.is_success(), "stake: {:?}", stake_error(&r));
    }

    /// The stake record of `key`.
    pub fn info(&mut self, key: BlsPublicKey) -> Option<StakeInfo> {
        self.query(self.stake, "stake_of", &key)
    }

    /// The eligible set in `epoch`.
    pub fn eligible(&mut self, epoch: u64) -> Vec<Eligible> {
        self.query(self.stake, "eligible_set", &(epoch * EPOCH))
    }

    /// `key`'s weight in `epoch` (0 if not eligible).
    pub fn weight(&mut self, key: BlsPublicKey, epoch: u64) -> u128 {
        self.eligible(epoch)
            .iter()
            .find(|e| e.key == key)
            .map_or(0, |e| e.weight)
    }

    /// What the stake contract owes, and what it holds: equal unless something leaked.
    pub fn stake_books(&mut self) -> (u128, u128) {
        let owed: u128 = self.query(self.stake, "liabilities", &());
        let held = self.balance(Address::from(self.stake));
        (owed, held)
    }
}

/// The `StakeError` of a failed stake call.
pub fn stake_error(r: &Receipt) -> Option<genesis_types::stake::StakeError> {
    decode_error(r)
}

/// A provisioner: a BLS key (from a fixed seed) and the account that owns its stake.
pub struct Provisioner {
    /// The secret key.
    pub secret: bls12_381_bls::SecretKey,
    /// Its public key.
    pub key: BlsPublicKey,
    /// The owning account.
    pub owner: Address,
}

impl Provisioner {
    /// Provisioner number `n` (the same key in every run).
    pub fn new(n: u64) -> Self {
        let secret = bls12_381_bls::SecretKey::random(&mut ChaCha20Rng::seed_from_u64(1_000 + n));
        let key = BlsPublicKey(bls12_381_bls::PublicKey::from(&secret).to_bytes());
        Provisioner {
            secret,
            key,
            owner: account(&format!("provisioner-{n}")),
        }
    }

    /// The key's signature of `message`.
    pub fn sign(&self, message: &[u8]) -> BlsSignature {
        BlsSignature(self.secret.sign(message).to_bytes())
    }

    /// The proof of possession for staking with this key in `stake`.
    pub fn proof_of_possession(&self, stake: ContractId) -> BlsSignature {
        self.sign(&proof_of_possession_message(&self.owner, &stake))
    }
}
