//! Probabilities kept as natural logarithms, so that the tails the risk model sums (10⁻⁵⁰ per
//! iteration is ordinary at small Byzantine stake) neither underflow nor lose their digits.

use core::fmt;

/// A probability stored as its natural logarithm (`-∞` for 0).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct LogProb(f64);

impl LogProb {
    /// Probability 0.
    pub const ZERO: LogProb = LogProb(f64::NEG_INFINITY);
    /// Probability 1.
    pub const ONE: LogProb = LogProb(0.0);

    /// From a natural logarithm (values above 0 are clamped to 1, NaN counts as 0).
    pub fn from_ln(ln: f64) -> LogProb {
        if ln.is_nan() {
            LogProb::ZERO
        } else {
            LogProb(ln.min(0.0))
        }
    }

    /// From a plain probability (clamped to `[0, 1]`).
    pub fn new(p: f64) -> LogProb {
        if p.is_nan() || p <= 0.0 {
            LogProb::ZERO
        } else {
            LogProb(p.min(1.0).ln())
        }
    }

    /// The natural logarithm.
    pub fn ln(self) -> f64 {
        self.0
    }

    /// The base-10 logarithm (`-∞` for 0).
    pub fn log10(self) -> f64 {
        self.0 / core::f64::consts::LN_10
    }

    /// The probability as an `f64` (0 below about 10⁻³⁰⁸).
    pub fn value(self) -> f64 {
        self.0.exp()
    }

    /// Whether it is exactly 0.
    pub fn is_zero(self) -> bool {
        self.0 == f64::NEG_INFINITY
    }

    /// The probability of the union of two disjoint events: `a + b` (log-sum-exp).
    pub fn plus(self, other: LogProb) -> LogProb {
        let (hi, lo) = if self.0 >= other.0 {
            (self.0, other.0)
        } else {
            (other.0, self.0)
        };
        if lo == f64::NEG_INFINITY {
            return LogProb(hi);
        }
        LogProb::from_ln(hi + (lo - hi).exp().ln_1p())
    }

    /// The probability of two independent events both happening: `a · b`.
    pub fn times(self, other: LogProb) -> LogProb {
        LogProb::from_ln(self.0 + other.0)
    }

    /// `a^k`.
    pub fn pow(self, k: u32) -> LogProb {
        if k == 0 {
            LogProb::ONE
        } else {
            LogProb::from_ln(self.0 * f64::from(k))
        }
    }

    /// `1 − a`, accurate when `a` is small (not when `a` is close to 1: compute the
    /// complement's event directly then).
    pub fn complement(self) -> LogProb {
        LogProb::from_ln((-self.value()).ln_1p())
    }

    /// The sum of disjoint events.
    pub fn sum(items: impl IntoIterator<Item = LogProb>) -> LogProb {
        items.into_iter().fold(LogProb::ZERO, LogProb::plus)
    }
}

/// Scientific notation with four significant digits computed from the logarithm, so that
/// `1.234e-412` prints although it is no `f64`; `0` for probability 0.
impl fmt::Display for LogProb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", scientific(self.log10()))
    }
}

/// A number given by its base-10 logarithm, in scientific notation with four significant
/// digits (`0` for `-∞`, `inf` for `+∞`).
pub fn scientific(log10: f64) -> String {
    if log10 == f64::NEG_INFINITY {
        return "0".into();
    }
    if log10 == f64::INFINITY || log10.is_nan() {
        return "inf".into();
    }
    let mut exponent = log10.floor();
    let mut mantissa = 10f64.powf(log10 - exponent);
    // Rounding to four digits can carry into a new digit (9.9996 → 10.000).
    if (mantissa * 1000.0).round() >= 10_000.0 {
        mantissa /= 10.0;
        exponent += 1.0;
    }
    format!("{mantissa:.3}e{:+03}", exponent as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_products_match_plain_arithmetic() {
        let a = LogProb::new(0.25);
        let b = LogProb::new(0.5);
        assert!((a.plus(b).value() - 0.75).abs() < 1e-15);
        assert!((a.times(b).value() - 0.125).abs() < 1e-15);
        assert!((a.pow(3).value() - 0.015625).abs() < 1e-15);
        assert!((a.complement().value() - 0.75).abs() < 1e-15);
        assert_eq!(LogProb::ZERO.plus(b), b);
        assert!(LogProb::ZERO.times(b).is_zero());
        assert_eq!(LogProb::sum([a, a, b]).value(), 1.0);
    }

    #[test]
    fn tiny_probabilities_keep_their_digits() {
        let tiny = LogProb::from_ln(-1000.0); // ≈ 5.076e-435, no f64
        assert_eq!(tiny.value(), 0.0);
        assert_eq!(tiny.to_string(), "5.076e-435");
        assert_eq!(tiny.plus(tiny).to_string(), "1.015e-434");
        assert_eq!(LogProb::ZERO.to_string(), "0");
        assert_eq!(LogProb::new(0.99999).to_string(), "1.000e+00");
        assert_eq!(scientific(f64::INFINITY), "inf");
    }
}
