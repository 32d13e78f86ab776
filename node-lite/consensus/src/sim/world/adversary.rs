//! The simulator's side of the split adversary: who plays which world, and the registration
//! of its candidates (see [`crate::sim::split`]).

use super::Simulator;
use crate::committee::Sortition;
use crate::crypto::Signer;
use crate::crypto::fake::FakeSigner;
use crate::sim::byzantine::Behaviour;
use crate::sim::split::Role;
use std::sync::Arc;

impl Simulator {
    pub(super) fn role(&self, node: usize) -> Role {
        match self.nodes[node].behaviour {
            Some(Behaviour::Split) => Role::Original,
            Some(Behaviour::SplitTwin(_)) => Role::Twin,
            _ => Role::Honest,
        }
    }

    /// The split adversary registers a candidate of one of its copies.
    pub(super) fn split_candidate(&mut self, node: usize, candidate: &crate::types::Candidate) {
        let h = &candidate.header;
        let Some(parent) = self.nodes[node].provisioner.chain().get(h.height - 1) else {
            return;
        };
        let parent = parent.block.header().clone();
        let honest: Vec<(usize, Arc<FakeSigner>)> = (0..self.nodes.len())
            .filter(|i| self.honest(*i))
            .map(|i| (i, self.nodes[i].signer.clone()))
            .collect();
        let signers: Vec<(usize, &dyn Signer)> = honest
            .iter()
            .map(|(i, s)| (*i, s.as_ref() as &dyn Signer))
            .collect();
        let byzantine: Vec<Arc<FakeSigner>> = (0..self.nodes.len())
            .filter(|i| self.role(*i) == Role::Original)
            .map(|i| self.nodes[i].signer.clone())
            .collect();
        let byzantine: Vec<&dyn Signer> = byzantine
            .iter()
            .map(|s| s.as_ref() as &dyn Signer)
            .collect();
        let eligibility = self.eligibility.clone();
        let role = self.role(node);
        self.split.on_candidate(
            role,
            (h.height, h.iteration),
            candidate.hash(),
            || Sortition::new(eligibility.as_ref(), &parent),
            &signers,
            &byzantine,
        );
        self.report.split_generated = self.split.generated;
        self.report.split_model_events = self.split.model_events;
        self.report.split_attacks = self.split.attacks;
        self.report.split_attacked_model_events = self.split.attacked_model_events;
        self.report.split_feasible = self.split.feasible_splits;
        self.report.split_holds = self.split.holds_started;
    }
}
