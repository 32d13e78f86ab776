//! The crypto host functions (`ed25519_verify`, `bls_verify`, `plonk_verify`), driven by WAT
//! contracts: valid inputs verify (1), tampered ones and malformed encodings do not (0, never a
//! trap), every pointer parameter traps when out of bounds, every size cap holds at the cap and
//! refuses one past it, gas is exactly the price (golden values), and a call that cannot pay
//! stops with `OutOfGas` before the verification (and before reading memory).
//!
//! Keys, signatures and the PLONK circuit are made here from fixed seeds. The ignored test
//! `measure_verification_costs` times each verification, for pricing:
//! `cargo test --release -p integration-tests crypto::gas::measure -- --ignored --nocapture`.

use dusk_bytes::{DeserializableSlice, Serializable};
use dusk_plonk::prelude::{
    BlsScalar, Circuit, Compiler, Composer, Constraint, Error as PlonkError, PublicParameters,
};
use ed25519_dalek::Signer;
use host_api::ContractId;
use integration_tests::{ALICE, deploy, session, wat};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use runtime::{CallError, LimitKind, PriceTable, Receipt, Session, TrapKind};
use std::sync::OnceLock;

mod bls;
mod ed25519;
mod gas;
mod plonk;

// The caps of `runtime/src/host/crypto.rs` (the runtime does not export them): restated so
// that changing one fails these tests.
const MAX_SIGNED_MESSAGE_BYTES: usize = 64 * 1024;
const MAX_PLONK_VERIFIER_DATA_BYTES: usize = 8 * 1024;
const MAX_PLONK_PROOF_BYTES: usize = 1_008;
const MAX_PLONK_PUBLIC_INPUTS: usize = 256;
const MAX_PLONK_PUBLIC_INPUT_BYTES: usize = MAX_PLONK_PUBLIC_INPUTS * 32;

// ---------------------------------------------------------------------------------------------
// The harness contract
// ---------------------------------------------------------------------------------------------

const IMPORTS: &str = r#"
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "output_write" (func $output_write (param i32 i32)))
  (import "host_v1" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "host_v1" "ed25519_verify" (func $ed25519_verify (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "bls_verify" (func $bls_verify (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "plonk_verify"
    (func $plonk_verify (param i32 i32 i32 i32 i32 i32) (result i32)))
"#;

/// Memory is 4 pages (0x40000 bytes): the argument at 0 (up to 64 KiB), zeros from 0x10000 to
/// 0x3ff00, scratch at 0x3ff00. Each entry takes the import's parameters as little-endian u32
/// words at the start of the argument (pointers usually into the rest of the argument), first
/// writes key=`k` (so the tests can check that a failed call's writes are rolled back), calls
/// the import and outputs its result (i32).
const HARNESS: &str = r#"
  (memory (export "memory") 4)
  (data (i32.const 0x3ff80) "kv")
  (func $arg (param $i i32) (result i32) (i32.load (i32.mul (local.get $i) (i32.const 4))))
  (func $ret (param $v i32)
    (i32.store (i32.const 0x3ff00) (local.get $v))
    (call $output_write (i32.const 0x3ff00) (i32.const 4)))
  (func $begin
    (call $input_read (i32.const 0))
    (call $storage_write (i32.const 0x3ff80) (i32.const 1) (i32.const 0x3ff81) (i32.const 1)))
  (func (export "ed25519") (param i32) (result i32)
    (call $begin)
    (call $ret (call $ed25519_verify (call $arg (i32.const 0)) (call $arg (i32.const 1))
      (call $arg (i32.const 2)) (call $arg (i32.const 3))))
    (i32.const 0))
  (func (export "bls") (param i32) (result i32)
    (call $begin)
    (call $ret (call $bls_verify (call $arg (i32.const 0)) (call $arg (i32.const 1))
      (call $arg (i32.const 2)) (call $arg (i32.const 3))))
    (i32.const 0))
  (func (export "plonk") (param i32) (result i32)
    (call $begin)
    (call $ret (call $plonk_verify (call $arg (i32.const 0)) (call $arg (i32.const 1))
      (call $arg (i32.const 2)) (call $arg (i32.const 3)) (call $arg (i32.const 4))
      (call $arg (i32.const 5))))
    (i32.const 0))
"#;

/// A zero region of the harness's memory (messages and inputs at the caps live here).
const ZEROS: u32 = 0x10000;
/// The end of the harness's memory.
const END: u32 = 0x40000;

fn harness() -> (Session, ContractId) {
    let (_store, mut session) = session();
    let id = deploy(&mut session, &wat(&format!("(module {IMPORTS} {HARNESS})")));
    (session, id)
}

/// An argument: `words` u32 parameters followed by the bytes they point to.
struct Arg {
    words: usize,
    data: Vec<u8>,
}

impl Arg {
    fn new(words: usize) -> Self {
        Self {
            words,
            data: Vec::new(),
        }
    }
    /// Append `bytes`; their pointer in the harness's memory.
    fn put(&mut self, bytes: &[u8]) -> u32 {
        let at = (self.words * 4 + self.data.len()) as u32;
        self.data.extend_from_slice(bytes);
        at
    }
    fn finish(self, params: &[u32]) -> Vec<u8> {
        assert_eq!(params.len(), self.words);
        let mut out: Vec<u8> = params.iter().flat_map(|w| w.to_le_bytes()).collect();
        out.extend(self.data);
        out
    }
}

/// `ed25519` / `bls` argument: the three buffers placed in the argument.
fn sig_arg(pk: &[u8], msg: &[u8], sig: &[u8]) -> Vec<u8> {
    let mut a = Arg::new(4);
    let (p, m, s) = (a.put(pk), a.put(msg), a.put(sig));
    a.finish(&[p, m, msg.len() as u32, s])
}

/// `plonk` argument: the three buffers placed in the argument.
fn plonk_arg(vd: &[u8], proof: &[u8], pi: &[u8]) -> Vec<u8> {
    let mut a = Arg::new(6);
    let (v, p, i) = (a.put(vd), a.put(proof), a.put(pi));
    a.finish(&[
        v,
        vd.len() as u32,
        p,
        proof.len() as u32,
        i,
        pi.len() as u32,
    ])
}

fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The import's result, from a successful call.
fn verified(r: &Receipt) -> i32 {
    let out = r
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{}: call failed: {e:?}", r.function));
    i32::from_le_bytes(out.as_slice().try_into().expect("4 bytes"))
}

fn run(session: &mut Session, id: ContractId, entry: &str, arg: &[u8]) -> i32 {
    verified(&call(session, id, entry, arg))
}

fn too_big(size: usize, max: usize) -> Result<Vec<u8>, CallError> {
    Err(CallError::LimitExceeded {
        kind: LimitKind::CryptoInput,
        size: size as u64,
        max: max as u64,
    })
}

/// A gas limit that pays for any verification here (a PLONK one at the caps costs ~200 M).
const GAS: u64 = 1_000_000_000;

/// Call as [`ALICE`] with [`GAS`].
fn call(session: &mut Session, id: ContractId, function: &str, args: &[u8]) -> Receipt {
    session
        .call(ALICE, id, function, args, GAS)
        .expect("no host error")
}

const OOB: Result<Vec<u8>, CallError> = Err(CallError::Trap(TrapKind::MemoryOutOfBounds));

/// The call failed with `expected`, and its write of key `k` was rolled back.
fn assert_fails(
    session: &mut Session,
    id: ContractId,
    entry: &str,
    arg: &[u8],
    expected: &Result<Vec<u8>, CallError>,
) {
    let r = call(session, id, entry, arg);
    assert_eq!(&r.result, expected, "{entry}");
    assert_eq!(session.storage(&id, b"k"), Ok(None), "{entry}: write kept");
}

// ---------------------------------------------------------------------------------------------
// Fixtures: keys, signatures, a PLONK circuit (fixed seeds)
// ---------------------------------------------------------------------------------------------

const MESSAGE: &[u8] = b"transfer 100 to bob, nonce 7";

struct Ed25519 {
    pk: [u8; 32],
    sig: [u8; 64],
    key: ed25519_dalek::SigningKey,
}

fn ed25519() -> &'static Ed25519 {
    static F: OnceLock<Ed25519> = OnceLock::new();
    F.get_or_init(|| {
        let key = ed25519_dalek::SigningKey::from_bytes(&[0x42; 32]);
        Ed25519 {
            pk: key.verifying_key().to_bytes(),
            sig: key.sign(MESSAGE).to_bytes(),
            key,
        }
    })
}

struct Bls {
    pk: [u8; 96],
    sig: [u8; 48],
    key: bls12_381_bls::SecretKey,
}

fn bls() -> &'static Bls {
    static F: OnceLock<Bls> = OnceLock::new();
    F.get_or_init(|| {
        let key = bls12_381_bls::SecretKey::random(&mut ChaCha20Rng::seed_from_u64(1));
        Bls {
            pk: bls12_381_bls::PublicKey::from(&key).to_bytes(),
            sig: key.sign(MESSAGE).to_bytes(),
            key,
        }
    })
}

/// Knowledge of `a` and `b` with `a + b = c`, `c` public.
#[derive(Default)]
struct Sum {
    a: BlsScalar,
    b: BlsScalar,
    c: BlsScalar,
}

impl Circuit for Sum {
    fn circuit(&self, composer: &mut Composer) -> Result<(), PlonkError> {
        let a = composer.append_witness(self.a);
        let b = composer.append_witness(self.b);
        let sum = composer.gate_add(Constraint::new().left(1).right(1).a(a).b(b));
        let c = composer.append_public(self.c);
        composer.assert_equal(sum, c);
        Ok(())
    }
}

/// `n` public inputs and nothing else (for timing the per-input cost).
#[derive(Default)]
struct Inputs(Vec<BlsScalar>);

impl Circuit for Inputs {
    fn circuit(&self, composer: &mut Composer) -> Result<(), PlonkError> {
        for v in &self.0 {
            composer.append_public(*v);
        }
        Ok(())
    }
}

struct Plonk {
    /// `Verifier::to_bytes` of the `Sum` circuit.
    vd: Vec<u8>,
    /// A proof of 3 + 4 = 7.
    proof: Vec<u8>,
    /// The public input, 7.
    pi: Vec<u8>,
    /// The same circuit compiled with a label that makes its verifier data exactly the cap,
    /// and a proof of 3 + 4 = 7 for it.
    vd_at_cap: Vec<u8>,
    proof_at_cap: Vec<u8>,
    /// The label of `vd`'s transcript.
    label_len: usize,
}

const LABEL: &[u8] = b"crypto-test";

fn scalar_bytes(s: &BlsScalar) -> Vec<u8> {
    s.to_bytes().to_vec()
}

fn plonk() -> &'static Plonk {
    static F: OnceLock<Plonk> = OnceLock::new();
    F.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let pp = PublicParameters::setup(1 << 5, &mut rng).expect("setup");
        let circuit = Sum {
            a: BlsScalar::from(3),
            b: BlsScalar::from(4),
            c: BlsScalar::from(7),
        };
        let (prover, verifier) = Compiler::compile::<Sum>(&pp, LABEL).expect("compile");
        let (proof, pi) = prover.prove(&mut rng, &circuit).expect("prove");
        assert_eq!(pi, vec![BlsScalar::from(7)]);
        let vd = verifier.to_bytes();

        let long_label = vec![b'L'; LABEL.len() + MAX_PLONK_VERIFIER_DATA_BYTES - vd.len()];
        let (prover2, verifier2) = Compiler::compile::<Sum>(&pp, &long_label).expect("compile");
        let (proof2, _) = prover2.prove(&mut rng, &circuit).expect("prove");
        Plonk {
            vd,
            proof: proof.to_bytes().to_vec(),
            pi: scalar_bytes(&pi[0]),
            vd_at_cap: verifier2.to_bytes(),
            proof_at_cap: proof2.to_bytes().to_vec(),
            label_len: LABEL.len(),
        }
    })
}

/// A copy of `bytes` with bit 0 of byte `i` flipped.
fn flip(bytes: &[u8], i: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[i] ^= 1;
    out
}
