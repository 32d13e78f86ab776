//! `node-lite security`: the Byzantine-stake risk model (`consensus::risk`) for one setting,
//! printed as a table or as JSON.
//!
//! The figures are exact (binomial and hypergeometric sums), not a simulation: per step (one
//! validation or ratification committee), per iteration and per round of at most `K`
//! iterations, the odds that Byzantine stake `F`
//! - reaches a `Valid` supermajority alone,
//! - makes two conflicting results both reach quorum with honest help (equivocation),
//! - vetoes an honest block with a majority alone,
//! - leaves the honest credits short of quorum (liveness),
//!
//! and the expected rounds until the first success of each. With `--target`, it also finds the
//! smallest committee whose per-round safety risk is at most the target.

use consensus::risk::{
    self, CommitteeSearch, LogProb, Mode, Odds, RiskError, RiskParams, RiskReport, scientific,
};
use serde_json::{Value, json};

/// What `node-lite security` is asked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecurityRequest {
    /// The model's parameters.
    pub params: RiskParams,
    /// A per-round safety risk to find the smallest committee for.
    pub target: Option<f64>,
}

/// The model's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityReport {
    /// The odds at the requested committee.
    pub report: RiskReport,
    /// The smallest committee for the target, when one was asked.
    pub search: Option<CommitteeSearch>,
}

/// Evaluate the model.
///
/// # Errors
/// [`RiskError`] naming the first parameter out of bounds.
pub fn run(req: &SecurityRequest) -> Result<SecurityReport, RiskError> {
    let report = risk::assess(&req.params)?;
    let search = req
        .target
        .map(|target| risk::smallest_committee(&req.params, target))
        .transpose()?;
    Ok(SecurityReport { report, search })
}

/// The events of a report, in print order: (name, description, odds).
fn events(r: &RiskReport) -> [(&'static str, &'static str, Odds); 4] {
    [
        (
            "supermajority_alone",
            "Byzantine credits alone reach a Valid supermajority",
            r.supermajority_alone,
        ),
        (
            "equivocation",
            "two conflicting results both reach quorum (2B + H >= 2q)",
            r.equivocation,
        ),
        (
            "majority_veto",
            "Byzantine credits alone reach a majority (veto an honest block)",
            r.majority_alone,
        ),
        (
            "liveness_failure",
            "honest credits alone fall short of a supermajority",
            r.liveness_failure,
        ),
    ]
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Public => "public",
        Mode::Private => "private",
    }
}

fn prob(p: LogProb) -> String {
    scientific(p.log10())
}

fn expected_rounds(odds: &Odds) -> String {
    let log10 = odds.expected_rounds_log10();
    if log10.is_infinite() {
        "never".to_string()
    } else if log10 < 6.0 {
        format!("{:.1}", odds.expected_rounds())
    } else if log10 < 300.0 {
        format!("{:.2e}", odds.expected_rounds())
    } else {
        format!("1e{log10:.0}")
    }
}

impl SecurityReport {
    /// A human-readable table.
    pub fn render_text(&self) -> String {
        let r = &self.report;
        let p = &r.params;
        let mut out = format!(
            "Byzantine-stake risk model (exact sums, not a simulation)\n\
             mode {}, Byzantine stake F = {}, committee C = {} credits, {} provisioners \
             of {} lot(s) ({} Byzantine), at most {} iterations per round\n\
             quorums: Valid >= {} credits, other results >= {} credits\n\
             generator of an iteration: Byzantine {}, honest {}, nobody {}\n\n",
            mode_name(p.mode),
            p.byzantine,
            p.committee,
            p.provisioners,
            p.lots,
            r.byzantine_provisioners,
            p.iterations,
            r.quorums.supermajority,
            r.quorums.majority,
            prob(r.generator.byzantine),
            prob(r.generator.honest),
            prob(r.generator.nobody),
        );
        out.push_str(&format!(
            "{:<20} {:>10} {:>12} {:>10} {:>16}  what\n",
            "event", "per step", "per iteration", "per round", "rounds to first"
        ));
        for (name, what, odds) in events(r) {
            out.push_str(&format!(
                "{:<20} {:>10} {:>12} {:>10} {:>16}  {}\n",
                name,
                prob(odds.per_step),
                prob(odds.per_iteration),
                prob(odds.per_round),
                expected_rounds(&odds),
                what
            ));
        }
        out.push_str(&format!(
            "\nsafety risk per round: {}\n",
            prob(r.safety_risk_per_round())
        ));
        if let Some(search) = &self.search {
            out.push_str(&match &search.found {
                Some(found) => format!(
                    "smallest committee for a per-round safety risk <= {:e}: C = {} (risk {}){}\n",
                    search.target,
                    found.params.committee,
                    prob(found.safety_risk_per_round()),
                    if found.params.committee > risk::MAX_STEP_CREDITS {
                        format!(
                            "; above the committee contract's limit of {} credits per step",
                            risk::MAX_STEP_CREDITS
                        )
                    } else {
                        String::new()
                    }
                ),
                None => format!(
                    "no committee up to C = {} reaches a per-round safety risk <= {:e}\n",
                    search.searched_up_to, search.target
                ),
            });
        }
        out
    }

    /// The same as JSON: probabilities as numbers (0 when below `f64`'s range) and as base-10
    /// logarithms, which stay exact far below it.
    pub fn to_json(&self) -> Value {
        let r = &self.report;
        let p = &r.params;
        let logp = |x: LogProb| json!({ "value": x.value(), "log10": finite(x.log10()) });
        let mut events_json = serde_json::Map::new();
        for (name, what, odds) in events(r) {
            events_json.insert(
                name.to_string(),
                json!({
                    "what": what,
                    "per_step": logp(odds.per_step),
                    "per_iteration": logp(odds.per_iteration),
                    "per_round": logp(odds.per_round),
                    "expected_rounds_log10": finite(odds.expected_rounds_log10()),
                }),
            );
        }
        let search = self.search.as_ref().map(|s| {
            json!({
                "target": s.target,
                "searched_up_to": s.searched_up_to,
                "committee": s.found.as_ref().map(|f| f.params.committee),
                "risk_per_round": s.found.as_ref().map(|f| logp(f.safety_risk_per_round())),
            })
        });
        json!({
            "mode": mode_name(p.mode),
            "byzantine": p.byzantine,
            "committee": p.committee,
            "provisioners": p.provisioners,
            "lots": p.lots,
            "byzantine_provisioners": r.byzantine_provisioners,
            "iterations": p.iterations,
            "quorums": { "supermajority": r.quorums.supermajority, "majority": r.quorums.majority },
            "generator": {
                "byzantine": logp(r.generator.byzantine),
                "honest": logp(r.generator.honest),
                "nobody": logp(r.generator.nobody),
            },
            "events": events_json,
            "safety_risk_per_round": logp(r.safety_risk_per_round()),
            "smallest_committee": search,
        })
    }
}

/// JSON has no infinities: an impossible event's log is `null`.
fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(byzantine: f64, committee: u32, mode: Mode) -> SecurityRequest {
        SecurityRequest {
            params: RiskParams::new(byzantine, committee, mode),
            target: None,
        }
    }

    #[test]
    fn public_equivocation_per_step_at_f_0_3_is_near_a_quarter() {
        let out = run(&request(0.3, 64, Mode::Public)).unwrap();
        let json = out.to_json();
        let step = json["events"]["equivocation"]["per_step"]["value"]
            .as_f64()
            .unwrap();
        assert!((0.25..0.27).contains(&step), "{step}");
        assert!(out.render_text().contains("equivocation"));
    }

    #[test]
    fn no_byzantine_stake_means_no_attack_and_never_in_the_table() {
        let out = run(&request(0.0, 64, Mode::Public)).unwrap();
        let json = out.to_json();
        assert_eq!(json["events"]["equivocation"]["per_round"]["value"], 0.0);
        assert_eq!(
            json["events"]["equivocation"]["expected_rounds_log10"],
            Value::Null
        );
        assert!(out.render_text().contains("never"));
    }

    #[test]
    fn target_finds_the_same_committee_as_the_library() {
        let req = SecurityRequest {
            target: Some(1e-6),
            ..request(0.3, 64, Mode::Public)
        };
        let out = run(&req).unwrap();
        let direct = risk::smallest_committee(&req.params, 1e-6).unwrap();
        let found = direct.found.unwrap().params.committee;
        assert_eq!(out.to_json()["smallest_committee"]["committee"], found);
        assert!(
            out.render_text().contains(&format!("C = {found}")),
            "{}",
            out.render_text()
        );
    }

    /// Ten public provisioners of 1,000 lots: the excluded generators take a third of the
    /// Byzantine stake when one of them is Byzantine, so the attack is rarer than with 10,000
    /// provisioners of one lot.
    #[test]
    fn lots_per_provisioner_reach_the_model() {
        let one_lot = run(&request(0.3, 64, Mode::Public)).unwrap();
        let mut req = request(0.3, 64, Mode::Public);
        req.params = req.params.with_provisioners(10).with_lots(1_000);
        let ten = run(&req).unwrap();
        let per_round = |r: &SecurityReport| r.report.equivocation.per_round.value();
        assert!(per_round(&ten) < per_round(&one_lot) / 10.0);
        assert_eq!(ten.to_json()["lots"], 1_000);
        assert!(
            ten.render_text().contains("10 provisioners of 1000 lot(s)"),
            "{}",
            ten.render_text()
        );
        req.params = req.params.with_lots(0);
        assert!(matches!(run(&req), Err(RiskError::LotsOutOfRange { .. })));
    }

    #[test]
    fn bad_parameters_are_typed_errors() {
        assert_eq!(
            run(&request(1.0, 64, Mode::Public)),
            Err(RiskError::ByzantineOutOfRange(1.0))
        );
        assert_eq!(
            run(&request(0.3, 0, Mode::Private)),
            Err(RiskError::CommitteeOutOfRange(0))
        );
        let req = SecurityRequest {
            target: Some(0.0),
            ..request(0.3, 64, Mode::Public)
        };
        assert_eq!(run(&req), Err(RiskError::TargetOutOfRange(0.0)));
    }
}
