//! The crypto host functions (`ed25519_verify`, `bls_verify`, `plonk_verify`), driven by WAT
//! contracts: valid inputs verify (1), tampered ones and malformed encodings do not (0, never a
//! trap), every pointer parameter traps when out of bounds, every size cap holds at the cap and
//! refuses one past it, gas is exactly the price (golden values), and a call that cannot pay
//! stops with `OutOfGas` before the verification (and before reading memory).
//!
//! Keys, signatures and the PLONK circuit are made here from fixed seeds. The ignored test
//! `measure_verification_costs` times each verification, for pricing:
//! `cargo test --release -p integration-tests crypto::measure -- --ignored --nocapture`.

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

// ---------------------------------------------------------------------------------------------
// ed25519_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn ed25519_valid_signature_verifies() {
    let f = ed25519();
    let (mut s, id) = harness();
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&f.pk, MESSAGE, &f.sig)),
        1
    );
    // The call succeeded: its writes are kept.
    assert_eq!(s.storage(&id, b"k"), Ok(Some(b"v".to_vec())));
    // The empty message, at the very end of memory.
    let sig = f.key.sign(b"").to_bytes();
    let mut a = Arg::new(4);
    let (p, g) = (a.put(&f.pk), a.put(&sig));
    assert_eq!(run(&mut s, id, "ed25519", &a.finish(&[p, END, 0, g])), 1);
}

#[test]
fn ed25519_tampered_message_or_signature_is_0() {
    let f = ed25519();
    let (mut s, id) = harness();
    let v = |s: &mut Session, pk: &[u8], msg: &[u8], sig: &[u8]| {
        run(s, id, "ed25519", &sig_arg(pk, msg, sig))
    };
    assert_eq!(v(&mut s, &f.pk, &flip(MESSAGE, 3), &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &MESSAGE[1..], &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, b"", &f.sig), 0);
    for i in [0, 31, 32, 63] {
        assert_eq!(
            v(&mut s, &f.pk, MESSAGE, &flip(&f.sig, i)),
            0,
            "sig byte {i}"
        );
    }
    // Another key's signature.
    let other = ed25519_dalek::SigningKey::from_bytes(&[0x43; 32]);
    assert_eq!(
        v(&mut s, &f.pk, MESSAGE, &other.sign(MESSAGE).to_bytes()),
        0
    );
    assert_eq!(
        v(&mut s, &other.verifying_key().to_bytes(), MESSAGE, &f.sig),
        0
    );
}

#[test]
fn ed25519_malformed_or_weak_keys_and_malleable_signatures_are_0() {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let f = ed25519();
    let (mut s, id) = harness();
    // A key that does not decompress to a curve point.
    let bad_pk = (0u8..=255)
        .map(|b| {
            let mut pk = [b; 32];
            pk[31] &= 0x7f;
            pk
        })
        .find(|pk| VerifyingKey::from_bytes(pk).is_err())
        .expect("some byte pattern is off the curve");
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&bad_pk, MESSAGE, &f.sig)),
        0
    );
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&[0; 32], MESSAGE, &f.sig)),
        0
    );

    // The identity as the key with R = identity and s = 0 satisfies the plain ed25519
    // equation for every message; `verify_strict` refuses the small-order key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut forged = [0u8; 64];
    forged[0] = 1;
    let weak = VerifyingKey::from_bytes(&identity).expect("decodes");
    assert!(
        weak.verify(MESSAGE, &Signature::from_bytes(&forged))
            .is_ok()
    );
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&identity, MESSAGE, &forged)),
        0
    );

    // s + ℓ (the same signature with a non-canonical scalar) is refused.
    const ELL: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut malleated = f.sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(malleated[32 + i]) + u16::from(ELL[i]) + carry;
        malleated[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "s + ℓ fits in 256 bits");
    assert_eq!(
        run(&mut s, id, "ed25519", &sig_arg(&f.pk, MESSAGE, &malleated)),
        0
    );
}

#[test]
fn ed25519_out_of_bounds_pointers_trap() {
    let f = ed25519();
    let (mut s, id) = harness();
    let mut a = Arg::new(4);
    let (p, g) = (a.put(&f.pk), a.put(&f.sig));
    let base = a.data.clone();
    let with = |params: [u32; 4]| {
        let mut out = words(&params);
        out.extend_from_slice(&base);
        out
    };
    for (what, params) in [
        ("pk straddles the end", [END - 31, 0, 0, g]),
        ("pk past the end", [END, 0, 0, g]),
        ("pk negative", [u32::MAX, 0, 0, g]),
        ("msg straddles the end", [p, END - 1, 2, g]),
        ("empty msg one past the end", [p, END + 1, 0, g]),
        ("msg negative", [p, u32::MAX, 1, g]),
        ("sig straddles the end", [p, 0, 0, END - 63]),
        ("sig negative", [p, 0, 0, u32::MAX - 10]),
    ] {
        let r = call(&mut s, id, "ed25519", &with(params));
        assert_eq!(r.result, OOB, "{what}");
        assert_eq!(s.storage(&id, b"k"), Ok(None), "{what}: write kept");
    }
    // In bounds, just: fine (the signature does not verify, but nothing traps).
    assert_eq!(
        run(
            &mut s,
            id,
            "ed25519",
            &with([END - 32, END - 1, 1, END - 64])
        ),
        0
    );
}

#[test]
fn ed25519_message_at_the_cap_verifies_and_one_past_is_crypto_input() {
    let f = ed25519();
    let (mut s, id) = harness();
    let zeros = vec![0u8; MAX_SIGNED_MESSAGE_BYTES];
    let sig = f.key.sign(&zeros).to_bytes();
    let arg = |len: u32| {
        let mut a = Arg::new(4);
        let (p, g) = (a.put(&f.pk), a.put(&sig));
        a.finish(&[p, ZEROS, len, g])
    };
    assert_eq!(
        run(&mut s, id, "ed25519", &arg(MAX_SIGNED_MESSAGE_BYTES as u32)),
        1
    );
    let past = MAX_SIGNED_MESSAGE_BYTES + 1;
    // A fresh harness: the success above kept its write.
    let (mut s, id) = harness();
    assert_fails(
        &mut s,
        id,
        "ed25519",
        &arg(past as u32),
        &too_big(past, MAX_SIGNED_MESSAGE_BYTES),
    );
    // A negative length is a huge one.
    assert_fails(
        &mut s,
        id,
        "ed25519",
        &arg(u32::MAX),
        &too_big(u32::MAX as usize, MAX_SIGNED_MESSAGE_BYTES),
    );
}

// ---------------------------------------------------------------------------------------------
// bls_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn bls_valid_signature_verifies() {
    let f = bls();
    assert_eq!((f.pk.len(), f.sig.len()), (96, 48));
    let (mut s, id) = harness();
    assert_eq!(run(&mut s, id, "bls", &sig_arg(&f.pk, MESSAGE, &f.sig)), 1);
    assert_eq!(s.storage(&id, b"k"), Ok(Some(b"v".to_vec())));
}

#[test]
fn bls_tampered_message_or_signature_is_0() {
    let f = bls();
    let (mut s, id) = harness();
    let v = |s: &mut Session, pk: &[u8], msg: &[u8], sig: &[u8]| {
        run(s, id, "bls", &sig_arg(pk, msg, sig))
    };
    assert_eq!(v(&mut s, &f.pk, &flip(MESSAGE, 0), &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, b"", &f.sig), 0);
    // Flipping the last byte of the compressed x keeps a well-formed encoding more often than
    // not; either way the result is 0.
    for i in [47, 40, 20] {
        assert_eq!(
            v(&mut s, &f.pk, MESSAGE, &flip(&f.sig, i)),
            0,
            "sig byte {i}"
        );
    }
    // A valid signature of another message, and another key.
    let other_sig = f.key.sign(b"another message").to_bytes();
    assert_eq!(v(&mut s, &f.pk, MESSAGE, &other_sig), 0);
    let other = bls12_381_bls::SecretKey::random(&mut ChaCha20Rng::seed_from_u64(2));
    let other_pk = bls12_381_bls::PublicKey::from(&other).to_bytes();
    assert_eq!(v(&mut s, &other_pk, MESSAGE, &f.sig), 0);
    assert_eq!(
        v(&mut s, &other_pk, MESSAGE, &other.sign(MESSAGE).to_bytes()),
        1
    );
}

#[test]
fn bls_malformed_points_are_0() {
    let f = bls();
    let (mut s, id) = harness();
    let v = |s: &mut Session, pk: &[u8], sig: &[u8]| run(s, id, "bls", &sig_arg(pk, MESSAGE, sig));
    // Not compressed encodings at all (the compression flag is the top bit).
    assert_eq!(v(&mut s, &[0; 96], &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &[0; 48]), 0);
    assert_eq!(v(&mut s, &[0xff; 96], &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &[0xff; 48]), 0);
    // The identity (compressed, infinity flag): well-formed, refused by verification.
    let mut inf_pk = [0u8; 96];
    inf_pk[0] = 0xc0;
    let mut inf_sig = [0u8; 48];
    inf_sig[0] = 0xc0;
    assert_eq!(v(&mut s, &inf_pk, &f.sig), 0);
    assert_eq!(v(&mut s, &f.pk, &inf_sig), 0);
    assert_eq!(v(&mut s, &inf_pk, &inf_sig), 0);
    // The key's first 48 bytes as a signature.
    assert_eq!(v(&mut s, &f.pk, &f.pk[..48]), 0);
}

#[test]
fn bls_out_of_bounds_pointers_trap() {
    let f = bls();
    let (mut s, id) = harness();
    let mut a = Arg::new(4);
    let (p, g) = (a.put(&f.pk), a.put(&f.sig));
    let base = a.data.clone();
    let with = |params: [u32; 4]| {
        let mut out = words(&params);
        out.extend_from_slice(&base);
        out
    };
    for params in [
        [END - 95, 0, 0, g],
        [u32::MAX, 0, 0, g],
        [p, END - 1, 2, g],
        [p, END + 1, 0, g],
        [p, u32::MAX, 1, g],
        [p, 0, 0, END - 47],
        [p, 0, 0, u32::MAX],
    ] {
        assert_fails(&mut s, id, "bls", &with(params), &OOB);
    }
    assert_eq!(
        run(&mut s, id, "bls", &with([END - 96, END, 0, END - 48])),
        0
    );
}

#[test]
fn bls_message_at_the_cap_verifies_and_one_past_is_crypto_input() {
    let f = bls();
    let (mut s, id) = harness();
    let zeros = vec![0u8; MAX_SIGNED_MESSAGE_BYTES];
    let sig = f.key.sign(&zeros).to_bytes();
    let arg = |len: u32| {
        let mut a = Arg::new(4);
        let (p, g) = (a.put(&f.pk), a.put(&sig));
        a.finish(&[p, ZEROS, len, g])
    };
    assert_eq!(
        run(&mut s, id, "bls", &arg(MAX_SIGNED_MESSAGE_BYTES as u32)),
        1
    );
    let past = MAX_SIGNED_MESSAGE_BYTES + 1;
    // A fresh harness: the success above kept its write.
    let (mut s, id) = harness();
    assert_fails(
        &mut s,
        id,
        "bls",
        &arg(past as u32),
        &too_big(past, MAX_SIGNED_MESSAGE_BYTES),
    );
}

// ---------------------------------------------------------------------------------------------
// plonk_verify
// ---------------------------------------------------------------------------------------------

#[test]
fn plonk_valid_proof_verifies() {
    let f = plonk();
    assert_eq!(f.proof.len(), MAX_PLONK_PROOF_BYTES);
    // 48-byte header, label, verifier key (968), opening key (240), 8 per public input.
    assert_eq!(f.vd.len(), 48 + f.label_len + 968 + 240 + 8);
    let (mut s, id) = harness();
    assert_eq!(
        run(&mut s, id, "plonk", &plonk_arg(&f.vd, &f.proof, &f.pi)),
        1
    );
    assert_eq!(s.storage(&id, b"k"), Ok(Some(b"v".to_vec())));
}

#[test]
fn plonk_tampered_proof_or_public_input_is_0() {
    let f = plonk();
    let (mut s, id) = harness();
    let v = |s: &mut Session, vd: &[u8], proof: &[u8], pi: &[u8]| {
        run(s, id, "plonk", &plonk_arg(vd, proof, pi))
    };
    // A different public input: 3 + 4 ≠ 8.
    assert_eq!(
        v(&mut s, &f.vd, &f.proof, &scalar_bytes(&BlsScalar::from(8))),
        0
    );
    // A flipped byte in a commitment (usually no longer a point) and in an evaluation (still
    // a scalar, but wrong).
    for i in [0, 47, 100, 11 * 48, MAX_PLONK_PROOF_BYTES - 2] {
        assert_eq!(
            v(&mut s, &f.vd, &flip(&f.proof, i), &f.pi),
            0,
            "proof byte {i}"
        );
    }
    // The proof of the same statement for another label (another transcript).
    assert_eq!(v(&mut s, &f.vd, &f.proof_at_cap, &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd_at_cap, &f.proof, &f.pi), 0);
}

#[test]
fn plonk_malformed_inputs_are_0() {
    let f = plonk();
    let (mut s, id) = harness();
    let v = |s: &mut Session, vd: &[u8], proof: &[u8], pi: &[u8]| {
        run(s, id, "plonk", &plonk_arg(vd, proof, pi))
    };
    // Public inputs: none, two, not a multiple of 32 bytes, a non-canonical scalar (≥ r).
    assert_eq!(v(&mut s, &f.vd, &f.proof, b""), 0);
    assert_eq!(v(&mut s, &f.vd, &f.proof, &f.pi.repeat(2)), 0);
    assert_eq!(v(&mut s, &f.vd, &f.proof, &f.pi[..31]), 0);
    assert_eq!(
        v(&mut s, &f.vd, &f.proof, &[f.pi.as_slice(), &[0]].concat()),
        0
    );
    assert_eq!(v(&mut s, &f.vd, &f.proof, &[0xff; 32]), 0);
    // The proof: empty, truncated, garbage.
    assert_eq!(v(&mut s, &f.vd, b"", &f.pi), 0);
    assert_eq!(
        v(&mut s, &f.vd, &f.proof[..MAX_PLONK_PROOF_BYTES - 1], &f.pi),
        0
    );
    assert_eq!(v(&mut s, &f.vd, &[0xff; MAX_PLONK_PROOF_BYTES], &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd, &[0; MAX_PLONK_PROOF_BYTES], &f.pi), 0);
    // Verifier data: empty, a short header, truncated, one trailing byte, garbage, a flipped
    // byte in a commitment of the verifier key, lengths in the header that overflow.
    assert_eq!(v(&mut s, b"", &f.proof, &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd[..47], &f.proof, &f.pi), 0);
    assert_eq!(v(&mut s, &f.vd[..f.vd.len() - 1], &f.proof, &f.pi), 0);
    assert_eq!(
        v(&mut s, &[f.vd.as_slice(), &[0]].concat(), &f.proof, &f.pi),
        0
    );
    assert_eq!(v(&mut s, &[0xff; 2000], &f.proof, &f.pi), 0);
    let vk = 48 + f.label_len;
    assert_eq!(v(&mut s, &flip(&f.vd, vk + 8 + 5), &f.proof, &f.pi), 0);
    let mut overflow = f.vd.clone();
    overflow[..8].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(v(&mut s, &overflow, &f.proof, &f.pi), 0);
}

#[test]
fn plonk_panic_inside_the_library_is_contained() {
    // The verifier key's circuit size `n` (its first 8 bytes) set to u64::MAX: dusk-plonk's
    // evaluation domain computes `n.next_power_of_two()`, which panics on overflow in a debug
    // build (and wraps to a refused size in release). Either way the host returns 0.
    let f = plonk();
    let at = 48 + f.label_len;
    let mut vd = f.vd.clone();
    vd[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let verifier = dusk_plonk::prelude::Verifier::try_from_bytes(&vd).expect("still decodes");
    let proof = dusk_plonk::prelude::Proof::from_slice(&f.proof).expect("proof");
    let direct =
        std::panic::catch_unwind(|| verifier.verify(&proof, &[BlsScalar::from(7)]).is_ok());
    if cfg!(debug_assertions) {
        assert!(direct.is_err(), "the library panics in a debug build");
    } else {
        assert_eq!(direct.ok(), Some(false));
    }
    let (mut s, id) = harness();
    assert_eq!(
        run(&mut s, id, "plonk", &plonk_arg(&vd, &f.proof, &f.pi)),
        0
    );
    // The host is fine: the next call verifies.
    assert_eq!(
        run(&mut s, id, "plonk", &plonk_arg(&f.vd, &f.proof, &f.pi)),
        1
    );
}

#[test]
fn plonk_out_of_bounds_pointers_trap() {
    let f = plonk();
    let (mut s, id) = harness();
    let mut a = Arg::new(6);
    let (v, p, i) = (a.put(&f.vd), a.put(&f.proof), a.put(&f.pi));
    let (vl, pl, il) = (f.vd.len() as u32, f.proof.len() as u32, f.pi.len() as u32);
    let base = a.data.clone();
    let with = |params: [u32; 6]| {
        let mut out = words(&params);
        out.extend_from_slice(&base);
        out
    };
    for params in [
        [END - vl + 1, vl, p, pl, i, il],
        [END + 1, 0, p, pl, i, il],
        [u32::MAX, 2, p, pl, i, il],
        [v, vl, END - pl + 1, pl, i, il],
        [v, vl, END + 1, 0, i, il],
        [v, vl, u32::MAX - 4, pl, i, il],
        [v, vl, p, pl, END - 31, il],
        [v, vl, p, pl, END + 1, 0],
        [v, vl, p, pl, u32::MAX, il],
    ] {
        assert_fails(&mut s, id, "plonk", &with(params), &OOB);
    }
    assert_eq!(
        run(
            &mut s,
            id,
            "plonk",
            &with([END, 0, END - pl, pl, END - il, il])
        ),
        0
    );
}

#[test]
fn plonk_inputs_at_the_caps_are_accepted_and_one_past_is_crypto_input() {
    let f = plonk();
    assert_eq!(f.vd_at_cap.len(), MAX_PLONK_VERIFIER_DATA_BYTES);
    let (mut s, id) = harness();
    // Verifier data and proof exactly at their caps: a real verification.
    assert_eq!(
        run(
            &mut s,
            id,
            "plonk",
            &plonk_arg(&f.vd_at_cap, &f.proof_at_cap, &f.pi)
        ),
        1
    );
    // Public inputs at the cap (zeros): accepted, and 0 (the verifier expects one).
    let mut a = Arg::new(6);
    let (v, p) = (a.put(&f.vd), a.put(&f.proof));
    let at = a.finish(&[
        v,
        f.vd.len() as u32,
        p,
        f.proof.len() as u32,
        ZEROS,
        MAX_PLONK_PUBLIC_INPUT_BYTES as u32,
    ]);
    assert_eq!(run(&mut s, id, "plonk", &at), 0);

    // One past each cap (the bytes are zeros in memory; the size alone refuses the call).
    let (vd_past, proof_past, pi_past) = (
        MAX_PLONK_VERIFIER_DATA_BYTES + 1,
        MAX_PLONK_PROOF_BYTES + 1,
        MAX_PLONK_PUBLIC_INPUT_BYTES + 1,
    );
    let raw = |params: [usize; 6]| words(&params.map(|w| w as u32));
    let z = ZEROS as usize;
    // A fresh harness: the successes above kept their write.
    let (mut s, id) = harness();
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([z, vd_past, z, 0, z, 0]),
        &too_big(vd_past, MAX_PLONK_VERIFIER_DATA_BYTES),
    );
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([z, 0, z, proof_past, z, 0]),
        &too_big(proof_past, MAX_PLONK_PROOF_BYTES),
    );
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([z, 0, z, 0, z, pi_past]),
        &too_big(pi_past, MAX_PLONK_PUBLIC_INPUT_BYTES),
    );
    // Negative lengths are huge ones; the caps are checked before the pointers.
    assert_fails(
        &mut s,
        id,
        "plonk",
        &raw([0, u32::MAX as usize, 0, 0, 0, 0]),
        &too_big(u32::MAX as usize, MAX_PLONK_VERIFIER_DATA_BYTES),
    );
}

// ---------------------------------------------------------------------------------------------
// Gas
// ---------------------------------------------------------------------------------------------

/// The default crypto prices (a change fails the golden values below on purpose).
#[test]
fn default_crypto_prices() {
    let p = PriceTable::default();
    assert_eq!(
        [
            p.ed25519_verify_base,
            p.ed25519_verify_per_byte,
            p.bls_verify_base,
            p.bls_verify_per_byte,
            p.plonk_verify_base,
            p.plonk_verify_per_public_input,
            p.plonk_verify_per_byte,
        ],
        PRICES
    );
}

/// `[ed25519 base, ed25519 per byte, bls base, bls per byte, plonk base, plonk per input,
/// plonk per verifier-data byte]`.
const PRICES: [u64; 7] = [500_000, 20, 30_000_000, 8, 120_000_000, 250_000, 1_100];

/// WAT string of `bytes`.
fn wat_data(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// A one-page module whose entry `g` calls `import` once with constant arguments pointing at
/// `data` (placed at 0x100, each part 8-aligned), stores the result at 0xff00 and outputs it.
/// Its cost is exactly 5 000 (call) + 1 (entry) + 1 (`i32.const` address) + one `i32.const`
/// per argument + 1 (`call`) + the price + 1 (`i32.store`) + 2 (`i32.const`) + 1 (`call`) +
/// 54 (`output_write` of 4 bytes) + 1 (`i32.const` status). Entry `gas_only` does the same with
/// `oob` as the first pointer (0xffff, out of bounds for any length ≥ 2).
fn gas_module(import: &str, parts: &[&[u8]], lengths: &[bool]) -> (Vec<u8>, u64) {
    let mut segments = String::new();
    let mut args = Vec::new();
    let mut at = 0x100usize;
    for (part, with_len) in parts.iter().zip(lengths) {
        segments.push_str(&format!("(data (i32.const {at}) \"{}\")\n", wat_data(part)));
        args.push(at);
        if *with_len {
            args.push(part.len());
        }
        at += part.len().div_ceil(8) * 8 + 8;
    }
    assert!(at < 0xff00);
    let consts =
        |args: &[usize]| -> String { args.iter().map(|a| format!("(i32.const {a}) ")).collect() };
    let mut oob = args.clone();
    oob[0] = 0xffff;
    let code = wat(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 1) {segments}
          (func (export "g") (param i32) (result i32)
            (i32.store (i32.const 0xff00) (call ${import} {}))
            (call $output_write (i32.const 0xff00) (i32.const 4))
            (i32.const 0))
          (func (export "oob") (param i32) (result i32)
            (i32.store (i32.const 0xff00) (call ${import} {}))
            (call $output_write (i32.const 0xff00) (i32.const 4))
            (i32.const 0)))"#,
        consts(&args),
        consts(&oob),
    ));
    let wasm = 1 + 1 + args.len() as u64 + 1 + 1 + 2 + 1 + 54 + 1;
    (code, wasm)
}

/// Before the host function runs: call base, entry, the address and argument constants, `call`.
fn before_host_call(args: usize) -> u64 {
    5_000 + 1 + 1 + args as u64 + 1
}

/// Check a gas module: `g` returns 1 and spends exactly `5 000 + wasm + price`, also with that
/// exact limit; one gas less is `OutOfGas` (spending the limit), even with an out-of-bounds
/// pointer (the price is charged before memory is read, so before any verification); with
/// enough gas that pointer traps.
fn check_gas(name: &str, (code, wasm): (Vec<u8>, u64), args: usize, price: u64) {
    let (_store, mut s) = session();
    let id = deploy(&mut s, &code);
    let total = 5_000 + wasm + price;
    let r = call(&mut s, id, "g", &[]);
    assert_eq!((verified(&r), r.gas_spent), (1, total), "{name}");
    let r = s.call(ALICE, id, "g", &[], total).expect("no host error");
    assert_eq!(
        (verified(&r), r.gas_spent),
        (1, total),
        "{name}: exact limit"
    );
    let short = before_host_call(args) + price - 1;
    for entry in ["g", "oob"] {
        let r = s.call(ALICE, id, entry, &[], short).expect("no host error");
        assert_eq!(
            (r.result, r.gas_spent),
            (Err(CallError::OutOfGas), short),
            "{name} {entry}: one gas short"
        );
    }
    let r = s
        .call(ALICE, id, "oob", &[], short + 1)
        .expect("no host error");
    assert_eq!(r.result, OOB, "{name}: oob with enough gas");
    assert_eq!(
        r.gas_spent,
        short + 1,
        "{name}: oob spends what was charged"
    );
}

#[test]
fn gas_is_exactly_the_price_and_is_charged_before_the_work() {
    let [eb, ep, bb, bp, pb, pi, pv] = PRICES;
    let e = ed25519();
    let len = MESSAGE.len() as u64;
    check_gas(
        "ed25519",
        gas_module(
            "ed25519_verify",
            &[&e.pk, MESSAGE, &e.sig],
            &[false, true, false],
        ),
        4,
        eb + ep * len,
    );
    let b = bls();
    check_gas(
        "bls",
        gas_module(
            "bls_verify",
            &[&b.pk, MESSAGE, &b.sig],
            &[false, true, false],
        ),
        4,
        bb + bp * len,
    );
    let p = plonk();
    check_gas(
        "plonk",
        gas_module(
            "plonk_verify",
            &[&p.vd, &p.proof, &p.pi],
            &[true, true, true],
        ),
        6,
        pb + pi + pv * p.vd.len() as u64,
    );
}

#[test]
fn gas_grows_exactly_by_the_per_byte_and_per_input_prices() {
    let [_, ep, _, bp, _, pi, pv] = PRICES;
    let (mut s, id) = harness();
    let spent = |s: &mut Session, entry: &str, params: &[u32]| {
        let r = call(s, id, entry, &words(params));
        assert!(r.is_success(), "{entry}: {:?}", r.result);
        r.gas_spent
    };
    // Zero keys and signatures (malformed: 0), messages of zeros: same wasm, different length.
    for (entry, per_byte) in [("ed25519", ep), ("bls", bp)] {
        let empty = spent(&mut s, entry, &[ZEROS, ZEROS, 0, ZEROS]);
        let full = spent(
            &mut s,
            entry,
            &[ZEROS, ZEROS, MAX_SIGNED_MESSAGE_BYTES as u32, ZEROS],
        );
        assert_eq!(
            full - empty,
            per_byte * MAX_SIGNED_MESSAGE_BYTES as u64,
            "{entry}"
        );
    }
    let plonk = |s: &mut Session, vd: usize, pi_bytes: usize| {
        spent(
            s,
            "plonk",
            &[ZEROS, vd as u32, ZEROS, 0, ZEROS, pi_bytes as u32],
        )
    };
    let none = plonk(&mut s, 0, 0);
    assert_eq!(plonk(&mut s, 0, 32) - none, pi);
    // A started word is charged as a whole input.
    assert_eq!(plonk(&mut s, 0, 33) - none, 2 * pi);
    assert_eq!(plonk(&mut s, 0, 1) - none, pi);
    assert_eq!(
        plonk(&mut s, 0, MAX_PLONK_PUBLIC_INPUT_BYTES) - none,
        256 * pi
    );
    assert_eq!(
        plonk(&mut s, MAX_PLONK_VERIFIER_DATA_BYTES, 0) - none,
        pv * MAX_PLONK_VERIFIER_DATA_BYTES as u64
    );
}

#[test]
fn size_caps_are_checked_before_gas() {
    // A call past a cap with too little gas for the price is LimitExceeded, not OutOfGas.
    let (mut s, id) = harness();
    let past = MAX_SIGNED_MESSAGE_BYTES as u32 + 1;
    for entry in ["ed25519", "bls"] {
        let r = s
            .call(
                ALICE,
                id,
                entry,
                &words(&[ZEROS, ZEROS, past, ZEROS]),
                // Pays for the harness's own work, not for any verification.
                100_000,
            )
            .expect("no host error");
        assert_eq!(
            r.result,
            too_big(past as usize, MAX_SIGNED_MESSAGE_BYTES),
            "{entry}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Timing, for the price table
// ---------------------------------------------------------------------------------------------

/// Median µs per run of `f` over `rounds` rounds of `per_round` runs.
fn time_us(rounds: usize, per_round: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = std::time::Instant::now();
            for _ in 0..per_round {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / per_round as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[rounds / 2]
}

#[test]
#[ignore = "timing for the price table: run with --release --ignored --nocapture"]
fn measure_verification_costs() {
    use std::hint::black_box;
    let p = PriceTable::default();
    let report = |what: &str, us: f64, gas: u64| {
        println!(
            "{what:<48} {us:>10.1} µs  price {gas:>10}  {:>7.0} gas/µs",
            gas as f64 / us
        );
    };
    let big = vec![0u8; MAX_SIGNED_MESSAGE_BYTES];

    // ed25519: what the host does (decode, verify_strict).
    let e = ed25519();
    let sig_big = e.key.sign(&big).to_bytes();
    let ed = |msg: &[u8], sig: &[u8; 64]| {
        let pk = ed25519_dalek::VerifyingKey::from_bytes(&e.pk).unwrap();
        pk.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig))
            .is_ok()
    };
    let us = time_us(9, 400, || {
        assert!(black_box(ed(black_box(MESSAGE), &e.sig)))
    });
    let ed_len = MESSAGE.len() as u64;
    report(
        "ed25519 (28-byte message)",
        us,
        p.ed25519_verify_base + p.ed25519_verify_per_byte * ed_len,
    );
    let us_big = time_us(9, 40, || assert!(black_box(ed(black_box(&big), &sig_big))));
    report(
        "ed25519 (64 KiB message)",
        us_big,
        p.ed25519_verify_base + p.ed25519_verify_per_byte * 65_536,
    );
    println!(
        "  ed25519 per byte: {:.2} ns",
        (us_big - us) * 1e3 / 65_508.0
    );

    // BLS: decode both points, verify.
    let b = bls();
    let bls_big = b.key.sign(&big).to_bytes();
    let bl = |msg: &[u8], sig: &[u8; 48]| {
        let pk = bls12_381_bls::PublicKey::from_bytes(&b.pk).unwrap();
        let sig = bls12_381_bls::Signature::from_bytes(sig).unwrap();
        pk.verify(&sig, msg).is_ok()
    };
    let us = time_us(9, 40, || assert!(black_box(bl(black_box(MESSAGE), &b.sig))));
    report(
        "bls (28-byte message)",
        us,
        p.bls_verify_base + p.bls_verify_per_byte * ed_len,
    );
    let us_big = time_us(9, 10, || assert!(black_box(bl(black_box(&big), &bls_big))));
    report(
        "bls (64 KiB message)",
        us_big,
        p.bls_verify_base + p.bls_verify_per_byte * 65_536,
    );
    println!("  bls per byte: {:.2} ns", (us_big - us) * 1e3 / 65_508.0);

    // PLONK: decode the verifier data (and re-encode it, as the host checks), the proof and
    // the inputs, verify (V3).
    let pv = |vd: &[u8], proof: &[u8], pi: &[BlsScalar]| {
        let v = dusk_plonk::prelude::Verifier::try_from_bytes(vd).unwrap();
        assert_eq!(v.to_bytes(), vd);
        let proof = dusk_plonk::prelude::Proof::from_slice(proof).unwrap();
        v.verify_with_version(&proof, pi, dusk_plonk::prelude::PlonkVersion::V3)
            .is_ok()
    };
    let f = plonk();
    let seven = [BlsScalar::from(7)];
    let us = time_us(9, 20, || assert!(black_box(pv(&f.vd, &f.proof, &seven))));
    let plonk_price = |vd: usize, inputs: u64| {
        p.plonk_verify_base
            + p.plonk_verify_per_public_input * inputs
            + p.plonk_verify_per_byte * vd as u64
    };
    report(
        "plonk (1 public input, 1.3 KB verifier data)",
        us,
        plonk_price(f.vd.len(), 1),
    );
    let us_cap = time_us(9, 20, || {
        assert!(black_box(pv(&f.vd_at_cap, &f.proof_at_cap, &seven)))
    });
    report(
        "plonk (1 public input, 8 KiB verifier data)",
        us_cap,
        plonk_price(8192, 1),
    );
    println!(
        "  plonk per verifier-data byte: {:.2} ns",
        (us_cap - us) * 1e3 / (8192 - f.vd.len()) as f64
    );

    // The per-input cost: a circuit of MAX_PLONK_PUBLIC_INPUTS public inputs (all non-zero).
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let pp = PublicParameters::setup(1 << 9, &mut rng).expect("setup");
    let values: Vec<BlsScalar> = (1..=MAX_PLONK_PUBLIC_INPUTS as u64)
        .map(|i| BlsScalar::from(i * 1_000_003))
        .collect();
    let circuit = Inputs(values.clone());
    let (prover, verifier) = Compiler::compile_with_circuit(&pp, LABEL, &circuit).expect("compile");
    let (proof, pi) = prover.prove(&mut rng, &circuit).expect("prove");
    assert_eq!(pi, values);
    let (vd, proof) = (verifier.to_bytes(), proof.to_bytes());
    let us_many = time_us(9, 20, || assert!(black_box(pv(&vd, &proof, &pi))));
    report(
        &format!(
            "plonk ({MAX_PLONK_PUBLIC_INPUTS} public inputs, {} B verifier data)",
            vd.len()
        ),
        us_many,
        plonk_price(vd.len(), MAX_PLONK_PUBLIC_INPUTS as u64),
    );
    println!(
        "  plonk per public input: {:.2} µs",
        (us_many - us) / (MAX_PLONK_PUBLIC_INPUTS - 1) as f64
    );

    // Through the runtime: a call verifying once, in a fresh Store, against the same call
    // without the verification (`oob`, refused after charging, before any work, replaced by
    // a plain call of an empty entry).
    let empty = wat(r#"(module (memory (export "memory") 1)
        (func (export "g") (param i32) (result i32) (i32.const 0)))"#);
    let (_store, mut s) = session();
    let empty_id = deploy(&mut s, &empty);
    let base = time_us(9, 200, || {
        assert!(call(&mut s, empty_id, "g", &[]).is_success());
    });
    println!("empty call through the runtime: {base:.1} µs");
    for (name, module) in [
        (
            "ed25519",
            gas_module(
                "ed25519_verify",
                &[&e.pk, MESSAGE, &e.sig],
                &[false, true, false],
            ),
        ),
        (
            "bls",
            gas_module(
                "bls_verify",
                &[&b.pk, MESSAGE, &b.sig],
                &[false, true, false],
            ),
        ),
        (
            "plonk",
            gas_module(
                "plonk_verify",
                &[&f.vd, &f.proof, &f.pi],
                &[true, true, true],
            ),
        ),
    ] {
        let id = deploy(&mut s, &module.0);
        let us = time_us(9, 20, || {
            assert_eq!(verified(&call(&mut s, id, "g", &[])), 1);
        });
        println!(
            "{name} through the runtime: {us:.1} µs ({:.1} µs over an empty call)",
            us - base
        );
    }

    // Plain metered wasm, the yardstick: a loop of integer arithmetic, gas per µs.
    let spin = wat(r#"(module (memory (export "memory") 1)
        (func (export "g") (param i32) (result i32) (local $i i32) (local $x i32)
          (local.set $i (i32.const 1000000))
          (loop $l
            (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (local.get $i)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br_if $l (local.get $i)))
          (i32.and (local.get $x) (i32.const 0))))"#);
    let spin_id = deploy(&mut s, &spin);
    let gas = call(&mut s, spin_id, "g", &[]).gas_spent;
    let us = time_us(9, 5, || {
        assert!(call(&mut s, spin_id, "g", &[]).is_success());
    });
    println!(
        "plain wasm loop: {gas} gas in {us:.1} µs = {:.0} gas/µs",
        gas as f64 / us
    );
}
