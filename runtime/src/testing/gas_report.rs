//! [`GasReport`]: gas per entry point (calls, min, avg, max) over a test run or a script of
//! calls, printed as a table and written as a **gas snapshot** that CI can diff with a tolerance
//! (like `forge snapshot --check`).
//!
//! # Snapshot format
//!
//! One line per entry point, sorted, `#` starts a comment:
//!
//! ```text
//! counter::increment calls=3 min=14210 avg=14230 max=14270
//! ```
//!
//! Gas is deterministic (fuel, fixed prices), so a snapshot changes only when code or prices do;
//! [`GasReport::check`] accepts moves within a relative tolerance and names every other one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Gas statistics of one entry point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GasStats {
    /// How many calls were recorded.
    pub calls: u64,
    /// The least gas one call spent.
    pub min: u64,
    /// The most gas one call spent.
    pub max: u64,
    /// The sum over all calls.
    pub total: u128,
}

impl GasStats {
    /// Mean gas per call, rounded down (0 without calls).
    pub fn avg(&self) -> u64 {
        if self.calls == 0 {
            return 0;
        }
        u64::try_from(self.total / u128::from(self.calls)).unwrap_or(u64::MAX)
    }

    fn record(&mut self, gas: u64) {
        if self.calls == 0 {
            self.min = gas;
            self.max = gas;
        } else {
            self.min = self.min.min(gas);
            self.max = self.max.max(gas);
        }
        self.calls += 1;
        self.total += u128::from(gas);
    }
}

/// `contract::function`, the key of a report line.
pub type GasKey = (String, String);

/// Per-function gas over many calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GasReport {
    entries: BTreeMap<GasKey, GasStats>,
}

/// A relative tolerance for [`GasReport::check`], in percent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tolerance {
    /// Allowed change relative to the snapshot, in percent (0 = exact).
    pub percent: f64,
}

/// Why a tolerance or a snapshot did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GasSnapshotError {
    /// The tolerance is not a non-negative number (optionally followed by `%`).
    #[error("bad tolerance {0:?}: expected a percentage such as `2%` or `0.5`")]
    BadTolerance(String),
    /// A snapshot line does not read `contract::function calls=N min=N avg=N max=N`.
    #[error("gas snapshot line {line}: {message}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl std::str::FromStr for Tolerance {
    type Err = GasSnapshotError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || GasSnapshotError::BadTolerance(s.to_string());
        let number = s.trim().trim_end_matches('%').trim();
        let percent: f64 = number.parse().map_err(|_| bad())?;
        if !percent.is_finite() || percent < 0.0 {
            return Err(bad());
        }
        Ok(Self { percent })
    }
}

/// One entry point whose gas differs from the snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct GasDiff {
    /// `contract::function`.
    pub key: GasKey,
    /// In the snapshot (`None`: new since the snapshot).
    pub expected: Option<GasStats>,
    /// In this run (`None`: gone since the snapshot).
    pub actual: Option<GasStats>,
    /// Whether the difference is beyond the tolerance (or an entry appeared or disappeared).
    pub beyond_tolerance: bool,
}

/// The result of [`GasReport::check`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GasCheck {
    /// Every entry point whose gas differs, within tolerance or not.
    pub diffs: Vec<GasDiff>,
}

impl GasCheck {
    /// `true` when no difference is beyond the tolerance.
    pub fn passed(&self) -> bool {
        self.diffs.iter().all(|d| !d.beyond_tolerance)
    }

    /// A human-readable diff, one line per changed entry point, failures marked `FAIL`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.diffs {
            let name = format!("{}::{}", d.key.0, d.key.1);
            let mark = if d.beyond_tolerance { "FAIL" } else { "ok  " };
            let line = match (&d.expected, &d.actual) {
                (Some(e), Some(a)) => format!(
                    "{mark} {name}: avg {} -> {} ({}), min {} -> {}, max {} -> {}",
                    e.avg(),
                    a.avg(),
                    percent_change(e.avg(), a.avg()),
                    e.min,
                    a.min,
                    e.max,
                    a.max
                ),
                (None, Some(a)) => {
                    format!("{mark} {name}: new (avg {}), not in the snapshot", a.avg())
                }
                (Some(e), None) => format!("{mark} {name}: gone (avg {} in the snapshot)", e.avg()),
                (None, None) => continue,
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

fn percent_change(old: u64, new: u64) -> String {
    if old == 0 {
        return if new == 0 {
            "+0.00%".into()
        } else {
            "+inf%".into()
        };
    }
    let change = (new as f64 - old as f64) / old as f64 * 100.0;
    format!("{change:+.2}%")
}

fn within(expected: u64, actual: u64, tolerance: Tolerance) -> bool {
    let allowed = expected as f64 * tolerance.percent / 100.0;
    (actual as f64 - expected as f64).abs() <= allowed
}

impl GasReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record one call of `contract::function` that spent `gas`.
    pub fn record(&mut self, contract: &str, function: &str, gas: u64) {
        self.entries
            .entry((contract.to_string(), function.to_string()))
            .or_default()
            .record(gas);
    }

    /// The statistics of one entry point.
    pub fn get(&self, contract: &str, function: &str) -> Option<GasStats> {
        self.entries
            .get(&(contract.to_string(), function.to_string()))
            .copied()
    }

    /// Every entry point, sorted by contract then function.
    pub fn entries(&self) -> impl Iterator<Item = (&GasKey, &GasStats)> {
        self.entries.iter()
    }

    /// `true` when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The report as an aligned text table.
    pub fn table(&self) -> String {
        let header = ["contract", "function", "calls", "min", "avg", "max"];
        let rows: Vec<[String; 6]> = self
            .entries
            .iter()
            .map(|((c, f), s)| {
                [
                    c.clone(),
                    f.clone(),
                    s.calls.to_string(),
                    s.min.to_string(),
                    s.avg().to_string(),
                    s.max.to_string(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: &[&str]| {
            let mut text = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i < 2 {
                    let _ = write!(text, "| {cell:<w$} ");
                } else {
                    let _ = write!(text, "| {cell:>w$} ");
                }
            }
            out.push_str(&text);
            out.push_str("|\n");
        };
        line(&mut out, &header);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(
            &mut out,
            &rule.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        for row in &rows {
            line(
                &mut out,
                &row.iter().map(String::as_str).collect::<Vec<_>>(),
            );
        }
        out
    }

    /// The report in the snapshot format (see the [module docs](self)).
    pub fn to_snapshot(&self) -> String {
        let mut out = String::new();
        for ((c, f), s) in &self.entries {
            let _ = writeln!(
                out,
                "{c}::{f} calls={} min={} avg={} max={}",
                s.calls,
                s.min,
                s.avg(),
                s.max
            );
        }
        out
    }

    /// Parse a snapshot. Each line's `avg` is kept exact (total = avg × calls).
    ///
    /// # Errors
    /// [`GasSnapshotError::BadLine`] naming the first line that does not parse.
    pub fn from_snapshot(text: &str) -> Result<Self, GasSnapshotError> {
        let mut entries = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |message: &str| GasSnapshotError::BadLine {
                line: i + 1,
                message: format!("{message}: {raw:?}"),
            };
            let mut parts = line.split_whitespace();
            let name = parts.next().ok_or_else(|| bad("empty"))?;
            let (contract, function) = name
                .split_once("::")
                .ok_or_else(|| bad("expected contract::function"))?;
            let mut fields = BTreeMap::new();
            for part in parts {
                let (k, v) = part
                    .split_once('=')
                    .ok_or_else(|| bad("expected key=value"))?;
                let v: u64 = v.parse().map_err(|_| bad("not a number"))?;
                fields.insert(k, v);
            }
            let field = |k: &str| {
                fields
                    .get(k)
                    .copied()
                    .ok_or_else(|| bad(&format!("no {k}=")))
            };
            let (calls, avg) = (field("calls")?, field("avg")?);
            let stats = GasStats {
                calls,
                min: field("min")?,
                max: field("max")?,
                total: u128::from(avg) * u128::from(calls),
            };
            entries.insert((contract.to_string(), function.to_string()), stats);
        }
        Ok(Self { entries })
    }

    /// Compare this run with a snapshot: min, avg and max of every entry point must be within
    /// `tolerance` of the snapshot's, and the two must list the same entry points.
    pub fn check(&self, snapshot: &GasReport, tolerance: Tolerance) -> GasCheck {
        let mut diffs = Vec::new();
        let keys: std::collections::BTreeSet<&GasKey> =
            self.entries.keys().chain(snapshot.entries.keys()).collect();
        for key in keys {
            let expected = snapshot.entries.get(key).copied();
            let actual = self.entries.get(key).copied();
            let beyond_tolerance = match (&expected, &actual) {
                (Some(e), Some(a)) => {
                    if (e.min, e.avg(), e.max) == (a.min, a.avg(), a.max) {
                        continue;
                    }
                    !(within(e.min, a.min, tolerance)
                        && within(e.avg(), a.avg(), tolerance)
                        && within(e.max, a.max, tolerance))
                }
                _ => true,
            };
            diffs.push(GasDiff {
                key: key.clone(),
                expected,
                actual,
                beyond_tolerance,
            });
        }
        GasCheck { diffs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(gas: &[(&str, &str, u64)]) -> GasReport {
        let mut r = GasReport::new();
        for (c, f, g) in gas {
            r.record(c, f, *g);
        }
        r
    }

    #[test]
    fn stats_and_snapshot_round_trip() {
        let r = report(&[("counter", "increment", 100), ("counter", "increment", 200)]);
        let s = r.get("counter", "increment").unwrap();
        assert_eq!((s.calls, s.min, s.avg(), s.max), (2, 100, 150, 200));
        let text = r.to_snapshot();
        assert_eq!(text, "counter::increment calls=2 min=100 avg=150 max=200\n");
        assert_eq!(GasReport::from_snapshot(&text).unwrap(), r);
        assert!(r.table().contains("| counter  | increment |"));
    }

    #[test]
    fn check_passes_within_tolerance_and_fails_beyond() {
        let snap = report(&[("c", "f", 1_000)]);
        let two: Tolerance = "2%".parse().unwrap();
        assert!(
            report(&[("c", "f", 1_000)])
                .check(&snap, two)
                .diffs
                .is_empty()
        );
        let near = report(&[("c", "f", 1_020)]).check(&snap, two);
        assert!(near.passed() && near.diffs.len() == 1, "{}", near.render());
        let far = report(&[("c", "f", 1_021)]).check(&snap, two);
        assert!(!far.passed());
        assert!(
            far.render()
                .contains("FAIL c::f: avg 1000 -> 1021 (+2.10%)"),
            "{}",
            far.render()
        );
        let gone = GasReport::new().check(&snap, two);
        assert!(!gone.passed() && gone.render().contains("gone"));
        let new = report(&[("c", "f", 1_000), ("c", "g", 5)]).check(&snap, two);
        assert!(!new.passed() && new.render().contains("c::g: new"));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!("-1%".parse::<Tolerance>().is_err());
        assert!("two".parse::<Tolerance>().is_err());
        assert_eq!("0.5".parse::<Tolerance>().unwrap().percent, 0.5);
        let e = GasReport::from_snapshot("# header\nc::f calls=x\n").unwrap_err();
        assert!(
            matches!(e, GasSnapshotError::BadLine { line: 2, .. }),
            "{e}"
        );
        assert!(GasReport::from_snapshot("cf calls=1 min=1 avg=1 max=1").is_err());
        assert!(GasReport::from_snapshot("c::f calls=1 min=1 max=1").is_err());
    }
}
