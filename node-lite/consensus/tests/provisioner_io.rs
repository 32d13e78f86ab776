//! The Input/Output contract of one provisioner, driven by hand: a lone provisioner holding
//! all the stake decides every block by itself (private mode: its VRF draw gives it about
//! 64 credits, enough for the 43-credit supermajority most of the time).

use consensus::crypto::fake::FakeKeys;
use consensus::{
    Block, Built, Config, Execution, Genesis, Input, Message, Output, Persisted, Provisioner,
    StaticEligibility, blake2b256, hash_of,
};
use genesis_types::Seed;
use genesis_types::committee::{CommitteeParams, Mode};
use genesis_types::stake::Eligible;
use host_api::ContractId;
use std::collections::BTreeMap;
use std::sync::Arc;

fn lone(mode: Mode) -> Provisioner {
    let mut keys = FakeKeys::default();
    let signer = keys.generate(3, 1).remove(0);
    let eligible = vec![Eligible {
        key: consensus::Signer::public_key(&signer),
        weight: 1_000,
    }];
    let params = CommitteeParams::with_default_sizes(ContractId([0; 32]), mode, 1);
    Provisioner::new(
        Config::default(),
        &Genesis {
            seed: Seed([1; 48]),
            state_root: [0; 32],
            timestamp: 0,
        },
        Arc::new(signer),
        Arc::new(keys.crypto()),
        Arc::new(StaticEligibility::new(eligible, params)),
    )
    .unwrap()
}

/// Drives one node: timers in a queue, execution answered at once. Returns every output.
fn drive(
    node: &mut Provisioner,
    first: Input,
    until_height: u64,
    persisted: &mut Persisted,
) -> Vec<Output> {
    let mut timers = BTreeMap::new();
    let mut inputs = vec![(0u64, first)];
    let mut all = Vec::new();
    let mut now = 0;
    let mut steps = 0;
    // Until the height is reached and its block applied (the next round started).
    while node.chain().tip().block.header().height < until_height
        || matches!(inputs.last(), Some((_, Input::Applied(_))))
    {
        steps += 1;
        assert!(steps < 100_000, "no progress");
        let (at, input) = match inputs.pop() {
            Some(x) => x,
            None => {
                let (&(at, seq), _) = timers.iter().next().expect("a timer is always set");
                let id = timers.remove(&(at, seq)).unwrap();
                (at, Input::TimerFired(id))
            }
        };
        now = now.max(at);
        for output in node.handle(now, input) {
            persisted.apply(&output, 256);
            match &output {
                Output::SetTimer(id, at) => {
                    timers.insert((*at, timers.len() as u64 + now), *id);
                }
                Output::BuildCandidate {
                    round,
                    iteration,
                    parent,
                    ..
                } => {
                    let txs = vec![round.to_le_bytes().to_vec()];
                    let mut bytes = parent.header().state_root.to_vec();
                    bytes.extend_from_slice(&hash_of(&txs));
                    inputs.push((
                        now,
                        Input::CandidateBuilt(Built {
                            round: *round,
                            iteration: *iteration,
                            txs: Arc::new(txs),
                            state_root: blake2b256(&bytes),
                            gas_used: 8,
                        }),
                    ));
                }
                Output::Execute {
                    candidate,
                    parent_state_root,
                } => {
                    let mut bytes = parent_state_root.to_vec();
                    bytes.extend_from_slice(&hash_of(&candidate.txs));
                    inputs.push((
                        now,
                        Input::Executed {
                            candidate: candidate.hash(),
                            result: Execution::Done {
                                state_root: blake2b256(&bytes),
                                gas_used: 8,
                            },
                        },
                    ));
                }
                // Applied at once: the next round starts.
                Output::Accept(block) => inputs.push((now, Input::Applied(block.hash()))),
                _ => {}
            }
            all.push(output);
        }
    }
    all
}

#[test]
fn a_vote_is_persisted_before_it_is_broadcast() {
    // Private mode only: in public mode the committees exclude this and the next iteration's
    // generator, and a lone provisioner is both (see the README).
    for mode in [Mode::Private] {
        let mut node = lone(mode);
        let mut persisted = Persisted::default();
        let outputs = drive(&mut node, Input::Start, 5, &mut persisted);
        let mut persisted_so_far = Vec::new();
        let mut votes = 0;
        for output in &outputs {
            match output {
                Output::Persist(record) => persisted_so_far.push(record.message.clone()),
                Output::Broadcast(m)
                    if matches!(m.as_ref(), Message::Vote(_) | Message::Candidate(_)) =>
                {
                    votes += 1;
                    assert!(
                        persisted_so_far.contains(m),
                        "{mode:?}: broadcast before persist"
                    );
                }
                _ => {}
            }
        }
        assert!(
            votes >= 15,
            "{mode:?}: a candidate and two votes per block, got {votes}"
        );
        let finals = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Labels(c) => Some(
                    c.iter()
                        .filter(|c| c.label == consensus::Label::Final)
                        .count(),
                ),
                _ => None,
            })
            .sum::<usize>();
        assert_eq!(finals, 4, "{mode:?}: blocks 1..=4 final once 5 is accepted");
    }
}

#[test]
fn a_restarted_node_resends_its_votes_instead_of_signing_new_ones() {
    let mut node = lone(Mode::Private);
    let mut persisted = Persisted::default();
    drive(&mut node, Input::Start, 2, &mut persisted);
    // Crash: a fresh machine restarts from what was persisted, whose records cover round 3 only
    // if it already voted there. Let it vote in round 3, then crash and restart.
    let mut first_run = Vec::new();
    for output in node.handle(
        5_000,
        Input::TimerFired(consensus::TimerId {
            round: 3,
            iteration: 0,
            kind: consensus::TimerKind::Step(genesis_types::stake::Step::Proposal),
        }),
    ) {
        persisted.apply(&output, 256);
        first_run.push(output);
    }
    let voted: Vec<_> = persisted
        .records
        .iter()
        .filter(|r| r.slot.0 == 3)
        .cloned()
        .collect();
    assert!(
        !voted.is_empty(),
        "voted NoCandidate in round 3 after the proposal timeout"
    );
    let mut restarted = lone(Mode::Private);
    let mut after = Persisted::default();
    let outputs = drive(
        &mut restarted,
        Input::Restart(persisted.clone()),
        3,
        &mut after,
    );
    for record in &voted {
        let resent = outputs
            .iter()
            .any(|o| matches!(o, Output::Broadcast(m) if *m == record.message));
        assert!(resent, "the persisted vote is sent again");
    }
    let new_in_slot = outputs
        .iter()
        .any(|o| matches!(o, Output::Persist(r) if voted.iter().any(|v| v.slot == r.slot)));
    assert!(
        !new_in_slot,
        "nothing new is signed in a slot voted before the crash"
    );
}

/// An eligibility that records the rounds it is asked about.
struct Recording {
    inner: StaticEligibility,
    asked: std::sync::Mutex<Vec<u64>>,
}

impl consensus::Eligibility for Recording {
    fn eligible(&self, round: u64, parent_state_root: &[u8; 32]) -> Arc<Vec<Eligible>> {
        self.asked.lock().unwrap().push(round);
        self.inner.eligible(round, parent_state_root)
    }
    fn params(&self) -> CommitteeParams {
        self.inner.params()
    }
}

/// The round after an accepted block is drawn from that block's state, which the driver has
/// only once it applied the block: the machine starts the round (asks for its eligible set)
/// only on `Applied`, holding what it receives meanwhile.
/// Two blocks made by a lone voter, and a fresh observer (recording the rounds whose set it
/// asks for) started at virtual time 60 s, to which the tests feed them.
fn observer_and_two_blocks() -> (Provisioner, Vec<Arc<Block>>, Arc<Recording>) {
    let mut keys = FakeKeys::default();
    let mut signers = keys.generate(3, 2);
    let (observer_signer, voter_signer) = (signers.remove(1), signers.remove(0));
    let eligible = vec![Eligible {
        key: consensus::Signer::public_key(&voter_signer),
        weight: 1_000,
    }];
    let params = CommitteeParams::with_default_sizes(ContractId([0; 32]), Mode::Private, 1);
    let genesis = Genesis {
        seed: Seed([1; 48]),
        state_root: [0; 32],
        timestamp: 0,
    };
    let crypto = Arc::new(keys.crypto());
    let mut voter = Provisioner::new(
        Config::default(),
        &genesis,
        Arc::new(voter_signer),
        crypto.clone(),
        Arc::new(StaticEligibility::new(eligible.clone(), params)),
    )
    .unwrap();
    let blocks: Vec<_> = drive(&mut voter, Input::Start, 2, &mut Persisted::default())
        .into_iter()
        .filter_map(|o| match o {
            Output::Accept(b) => Some(b),
            _ => None,
        })
        .collect();
    assert_eq!(blocks.len(), 2);
    let eligibility = Arc::new(Recording {
        inner: StaticEligibility::new(eligible, params),
        asked: Default::default(),
    });
    let mut observer = Provisioner::new(
        Config::default(),
        &genesis,
        Arc::new(observer_signer),
        crypto,
        eligibility.clone(),
    )
    .unwrap();
    observer.handle(60_000, Input::Start);
    (observer, blocks, eligibility)
}

#[test]
fn the_next_round_starts_only_once_the_driver_applied_the_accepted_block() {
    let (mut observer, blocks, eligibility) = observer_and_two_blocks();
    let asked = || eligibility.asked.lock().unwrap().clone();
    let accepted = |outputs: &[Output]| -> Vec<u64> {
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::Accept(b) => Some(b.header().height),
                _ => None,
            })
            .collect()
    };
    let now = 60_000;
    let block = |i: usize| Input::Message(0, Arc::new(Message::Block(blocks[i].as_ref().clone())));
    let out = observer.handle(now, block(0));
    assert_eq!(accepted(&out), vec![1]);
    assert!(
        !asked().contains(&2),
        "round 2 drawn before block 1 is applied"
    );
    // Block 2 arrives before block 1 is applied: held, not checked (its check needs round 2's
    // set).
    let out = observer.handle(now, block(1));
    assert_eq!(accepted(&out), Vec::<u64>::new());
    assert!(!asked().contains(&2));
    // Another block's report changes nothing.
    observer.handle(now, Input::Applied(blocks[1].hash()));
    assert!(!asked().contains(&2));
    // Block 1 applied: round 2 starts, then the held block 2 is checked and accepted; round 3
    // waits for block 2 in turn.
    let out = observer.handle(now, Input::Applied(blocks[0].hash()));
    assert!(asked().contains(&2));
    assert_eq!(accepted(&out), vec![2]);
    assert!(
        !asked().contains(&3),
        "round 3 drawn before block 2 is applied"
    );
    assert_eq!(observer.position().map(|p| p.0), Some(2));
    observer.handle(now, Input::Applied(blocks[1].hash()));
    assert!(asked().contains(&3));
    assert_eq!(observer.position().map(|p| p.0), Some(3));
}

/// The messages a provisioner holds while it waits for `Applied` are bounded: past
/// `MAX_BUFFERED_MESSAGES` a message is dropped (here block 2, sent after a full queue, is
/// never accepted), at the bound it is kept (sent one message earlier, it is).
#[test]
fn the_messages_held_until_applied_stop_at_the_buffer_bound() {
    for (filler, accepted_after) in [
        (consensus::MAX_BUFFERED_MESSAGES - 1, vec![2]),
        (consensus::MAX_BUFFERED_MESSAGES, vec![]),
    ] {
        let (mut observer, blocks, _) = observer_and_two_blocks();
        let now = 60_000;
        let block =
            |i: usize| Input::Message(0, Arc::new(Message::Block(blocks[i].as_ref().clone())));
        observer.handle(now, block(0));
        let asks = Arc::new(Message::GetBlocks { from: 1_000 });
        for _ in 0..filler {
            observer.handle(now, Input::Message(1, asks.clone()));
        }
        observer.handle(now, block(1));
        let out = observer.handle(now, Input::Applied(blocks[0].hash()));
        let accepted: Vec<u64> = out
            .iter()
            .filter_map(|o| match o {
                Output::Accept(b) => Some(b.header().height),
                _ => None,
            })
            .collect();
        assert_eq!(
            accepted, accepted_after,
            "{filler} messages held before block 2"
        );
    }
}
