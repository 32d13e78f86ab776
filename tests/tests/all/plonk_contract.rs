//! The `plonk_verifier` contract (contracts/plonk_verifier): a small dusk-plonk circuit is built
//! here from a fixed seed; the contract accepts its valid proof, refuses a tampered proof and
//! wrong public inputs, counts only valid proofs, and pays the priced gas.

use borsh::{from_slice, to_vec};
use dusk_bytes::Serializable;
use dusk_plonk::prelude::{
    BlsScalar, Circuit, Compiler, Composer, Constraint, Error as PlonkError, PublicParameters,
};
use integration_tests::{ALICE, contract_wasm, deploy, session};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use runtime::{CallError, PriceTable, Receipt};

/// Knows `a`, `b` with `a · b = product` and `a + b = sum` (both public).
#[derive(Default)]
struct ProductAndSum {
    a: BlsScalar,
    b: BlsScalar,
    product: BlsScalar,
    sum: BlsScalar,
}

impl Circuit for ProductAndSum {
    fn circuit(&self, composer: &mut Composer) -> Result<(), PlonkError> {
        let a = composer.append_witness(self.a);
        let b = composer.append_witness(self.b);
        let product = composer.gate_mul(Constraint::new().mult(1).a(a).b(b));
        let expected = composer.append_public(self.product);
        composer.assert_equal(product, expected);
        let sum = composer.gate_add(Constraint::new().left(1).right(1).a(a).b(b));
        let expected = composer.append_public(self.sum);
        composer.assert_equal(sum, expected);
        Ok(())
    }
}

struct Fixture {
    vd: Vec<u8>,
    proof: Vec<u8>,
    inputs: Vec<[u8; 32]>,
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let pp = PublicParameters::setup(1 << 6, &mut rng).expect("setup");
    let (prover, verifier) =
        Compiler::compile::<ProductAndSum>(&pp, b"plonk-verifier-test").expect("compile");
    let circuit = ProductAndSum {
        a: BlsScalar::from(6),
        b: BlsScalar::from(7),
        product: BlsScalar::from(42),
        sum: BlsScalar::from(13),
    };
    let (proof, public) = prover.prove(&mut rng, &circuit).expect("prove");
    assert_eq!(public, [BlsScalar::from(42), BlsScalar::from(13)]);
    Fixture {
        vd: verifier.to_bytes(),
        proof: proof.to_bytes().to_vec(),
        inputs: public.iter().map(|s| s.to_bytes()).collect(),
    }
}

fn verify(
    s: &mut runtime::Session,
    id: host_api::ContractId,
    vd: &[u8],
    proof: &[u8],
    inputs: &[[u8; 32]],
    gas: u64,
) -> Receipt {
    let args = to_vec(&(vd.to_vec(), proof.to_vec(), inputs.to_vec())).unwrap();
    s.call(ALICE, id, "verify", &args, gas)
        .expect("no host error")
}

fn accepted(r: &Receipt) -> bool {
    from_slice(r.result.as_ref().expect("verify returns")).unwrap()
}

/// The verifier's first load in a call, which every call to it pays before it runs.
fn load() -> u64 {
    runtime::gas::module_load_price(&PriceTable::default(), &contract_wasm("plonk_verifier"))
}

fn verified(s: &mut runtime::Session, id: host_api::ContractId) -> u64 {
    let r = s
        .call(ALICE, id, "verified", &[], load() + 1_000_000)
        .unwrap();
    from_slice(r.result.as_ref().unwrap()).unwrap()
}

#[test]
fn valid_proofs_verify_tampered_ones_and_wrong_inputs_do_not() {
    let f = fixture();
    let (_store, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("plonk_verifier"));
    let p = PriceTable::default();
    let price = p.plonk_verify_base
        + p.plonk_verify_per_public_input * f.inputs.len() as u64
        + p.plonk_verify_per_byte * f.vd.len() as u64;
    let load = load();
    let gas = load + price + 10_000_000;

    let r = verify(&mut s, id, &f.vd, &f.proof, &f.inputs, gas);
    assert!(accepted(&r));
    assert!(
        r.gas_spent > load + price && r.gas_spent < load + price + 1_000_000,
        "{}",
        r.gas_spent
    );
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].topic, "verified");
    assert_eq!(
        from_slice::<Vec<[u8; 32]>>(&r.events[0].data).unwrap(),
        f.inputs
    );
    assert_eq!(verified(&mut s, id), 1);

    // Every byte region of the proof matters: flip one bit in a few places.
    for at in [0, 100, 500, f.proof.len() - 1] {
        let mut bad = f.proof.clone();
        bad[at] ^= 1;
        let r = verify(&mut s, id, &f.vd, &bad, &f.inputs, gas);
        assert!(!accepted(&r), "tampered at {at}");
        assert!(r.events.is_empty());
    }
    // Wrong public inputs: another product, swapped order, one missing.
    let mut wrong = f.inputs.clone();
    wrong[0] = BlsScalar::from(43).to_bytes();
    assert!(!accepted(&verify(&mut s, id, &f.vd, &f.proof, &wrong, gas)));
    let swapped = vec![f.inputs[1], f.inputs[0]];
    assert!(!accepted(&verify(
        &mut s, id, &f.vd, &f.proof, &swapped, gas
    )));
    assert!(!accepted(&verify(
        &mut s,
        id,
        &f.vd,
        &f.proof,
        &f.inputs[..1],
        gas
    )));
    // Verifier data of another circuit (truncated: does not decode).
    assert!(!accepted(&verify(
        &mut s,
        id,
        &f.vd[..f.vd.len() - 1],
        &f.proof,
        &f.inputs,
        gas
    )));
    assert_eq!(verified(&mut s, id), 1, "only the valid proof counted");
}

#[test]
fn a_call_that_cannot_pay_for_the_verification_runs_out_of_gas_before_it() {
    let f = fixture();
    let (_store, mut s) = session();
    let id = deploy(&mut s, &contract_wasm("plonk_verifier"));
    // Its load and the contract's own work paid, 20 M short of the verification's price.
    let limit = load() + 100_000_000;
    let r = verify(&mut s, id, &f.vd, &f.proof, &f.inputs, limit);
    assert_eq!(r.result, Err(CallError::OutOfGas));
    assert_eq!(r.gas_spent, limit);
    assert_eq!(verified(&mut s, id), 0);
}
