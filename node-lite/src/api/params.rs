//! What a client sends, checked before the node sees it: every hex id is 32 bytes of hex
//! (`0x` optional, either case; passed on lowercase without `0x`), every byte string is hex,
//! amounts are decimal `u128`, heights decimal `u64`. A value that does not parse is a 400
//! naming the field.

use super::error::HttpError;
use crate::node_api::{BlockRef, CallRequest, DevPayload, DevTxRequest, EventFilter, Hex32};

/// Most events one `GET /events` returns, and its default.
pub const MAX_EVENTS_LIMIT: usize = 1000;
/// Events returned when the query names no `limit`.
pub const DEFAULT_EVENTS_LIMIT: usize = 100;
/// The steps a committee is drawn for.
pub const STEPS: [&str; 3] = ["proposal", "validation", "ratification"];

fn strip_0x(s: &str) -> &str {
    s.strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s)
}

/// Hex bytes of any length, lowercase without `0x`.
///
/// # Errors
/// 400 naming `field` when `s` is not hex.
pub fn hex_bytes(field: &str, s: &str) -> Result<String, HttpError> {
    let digits = strip_0x(s.trim());
    hex::decode(digits)
        .map(hex::encode)
        .map_err(|e| HttpError::bad_request(format!("`{field}` is not hex: {e}")))
}

/// 32 bytes of hex (a hash, an address, a contract id), lowercase without `0x`.
///
/// # Errors
/// 400 naming `field` when `s` is not 64 hex digits.
pub fn hex32(field: &str, s: &str) -> Result<Hex32, HttpError> {
    let bytes = hex_bytes(field, s)?;
    if bytes.len() != 64 {
        return Err(HttpError::bad_request(format!(
            "`{field}` must be 32 bytes (64 hex digits), got {} bytes",
            bytes.len() / 2
        )));
    }
    Ok(bytes)
}

/// A decimal `u128` amount, without leading `+` or spaces.
///
/// # Errors
/// 400 naming `field`.
pub fn amount(field: &str, s: &str) -> Result<String, HttpError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HttpError::bad_request(format!(
            "`{field}` must be a decimal amount, got {s:?}"
        )));
    }
    s.parse::<u128>().map(|n| n.to_string()).map_err(|_| {
        HttpError::bad_request(format!("`{field}` is over the largest amount (2^128 - 1)"))
    })
}

/// A block by height (decimal) or hash (64 hex digits).
///
/// # Errors
/// 400 when `id` is neither.
pub fn block_ref(id: &str) -> Result<BlockRef, HttpError> {
    let digits = strip_0x(id);
    if digits.len() == 64 {
        return hex32("block", id).map(BlockRef::Hash);
    }
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        return id
            .parse()
            .map(BlockRef::Height)
            .map_err(|_| HttpError::bad_request(format!("block height {id} is over 2^64 - 1")));
    }
    Err(HttpError::bad_request(format!(
        "a block is a height (decimal) or a hash (64 hex digits), got {id:?}"
    )))
}

/// A consensus step's name.
///
/// # Errors
/// 400 naming the steps.
pub fn step(s: &str) -> Result<&'static str, HttpError> {
    STEPS.into_iter().find(|step| *step == s).ok_or_else(|| {
        HttpError::bad_request(format!(
            "step must be one of {}, got {s:?}",
            STEPS.join(", ")
        ))
    })
}

/// An event filter with its ids normalised and its limit defaulted and checked.
///
/// # Errors
/// 400 for a bad contract id, `from_height` above `to_height`, or a limit of 0 or over
/// [`MAX_EVENTS_LIMIT`].
pub fn event_filter(mut f: EventFilter) -> Result<EventFilter, HttpError> {
    if let Some(c) = &f.contract {
        f.contract = Some(hex32("contract", c)?);
    }
    if let (Some(from), Some(to)) = (f.from_height, f.to_height)
        && from > to
    {
        return Err(HttpError::bad_request(format!(
            "from_height {from} is above to_height {to}"
        )));
    }
    match f.limit {
        None => f.limit = Some(DEFAULT_EVENTS_LIMIT),
        Some(0) => return Err(HttpError::bad_request("limit must be at least 1")),
        Some(n) if n > MAX_EVENTS_LIMIT => {
            return Err(HttpError::bad_request(format!(
                "limit {n} is over the maximum of {MAX_EVENTS_LIMIT}"
            )));
        }
        Some(_) => {}
    }
    Ok(f)
}

/// A dry-run request with its ids and arguments normalised.
///
/// # Errors
/// 400 naming the first bad field.
pub fn call_request(mut r: CallRequest) -> Result<CallRequest, HttpError> {
    if let Some(c) = &r.caller {
        r.caller = Some(hex32("caller", c)?);
    }
    r.contract = hex32("contract", &r.contract)?;
    r.args = hex_bytes("args", &r.args)?;
    if r.function.is_empty() {
        return Err(HttpError::bad_request("`function` is empty"));
    }
    Ok(r)
}

/// A dev transaction with its payload's fields normalised.
///
/// # Errors
/// 400 naming the first bad field.
pub fn dev_tx(mut r: DevTxRequest) -> Result<DevTxRequest, HttpError> {
    r.payload = match r.payload {
        DevPayload::Deploy { code, init_args } => DevPayload::Deploy {
            code: hex_bytes("payload.code", &code)?,
            init_args: init_args
                .map(|a| hex_bytes("payload.init_args", &a))
                .transpose()?,
        },
        DevPayload::Call {
            contract,
            function,
            args,
        } => {
            if function.is_empty() {
                return Err(HttpError::bad_request("`payload.function` is empty"));
            }
            DevPayload::Call {
                contract: hex32("payload.contract", &contract)?,
                function,
                args: hex_bytes("payload.args", &args)?,
            }
        }
        DevPayload::Transfer { to, amount: a } => DevPayload::Transfer {
            to: hex32("payload.to", &to)?,
            amount: amount("payload.amount", &a)?,
        },
    };
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_normalised_and_bad_ones_named() {
        let upper = format!("0x{}", "AB".repeat(32));
        assert_eq!(hex32("address", &upper).unwrap(), "ab".repeat(32));
        let short = hex32("address", &"ab".repeat(31)).unwrap_err();
        assert_eq!(short.status, 400);
        assert!(short.body.message.contains("`address` must be 32 bytes"));
        let odd = hex32("address", &"a".repeat(63)).unwrap_err();
        assert!(odd.body.message.contains("`address` is not hex"), "{odd:?}");
        assert!(hex32("address", &"zz".repeat(32)).is_err());
    }

    #[test]
    fn blocks_are_heights_or_hashes() {
        assert_eq!(block_ref("0").unwrap(), BlockRef::Height(0));
        assert_eq!(
            block_ref(&u64::MAX.to_string()).unwrap(),
            BlockRef::Height(u64::MAX)
        );
        assert!(block_ref("18446744073709551616").is_err(), "past u64");
        assert_eq!(
            block_ref(&"0f".repeat(32)).unwrap(),
            BlockRef::Hash("0f".repeat(32))
        );
        for bad in ["", "-1", "12a", "latest", &"0g".repeat(32)] {
            assert_eq!(block_ref(bad).unwrap_err().status, 400, "{bad:?}");
        }
    }

    #[test]
    fn amounts_are_decimal_u128() {
        assert_eq!(
            amount("a", &u128::MAX.to_string()).unwrap(),
            u128::MAX.to_string()
        );
        assert_eq!(amount("a", "007").unwrap(), "7");
        for bad in [
            "",
            "-1",
            "+1",
            "1.5",
            "1e3",
            " 1",
            "340282366920938463463374607431768211456",
        ] {
            assert_eq!(amount("a", bad).unwrap_err().status, 400, "{bad:?}");
        }
    }

    #[test]
    fn event_limits_at_and_past_the_maximum() {
        let at = event_filter(EventFilter {
            limit: Some(MAX_EVENTS_LIMIT),
            ..EventFilter::default()
        })
        .unwrap();
        assert_eq!(at.limit, Some(MAX_EVENTS_LIMIT));
        assert!(
            event_filter(EventFilter {
                limit: Some(MAX_EVENTS_LIMIT + 1),
                ..EventFilter::default()
            })
            .is_err()
        );
        assert_eq!(
            event_filter(EventFilter::default()).unwrap().limit,
            Some(DEFAULT_EVENTS_LIMIT)
        );
        assert!(
            event_filter(EventFilter {
                from_height: Some(5),
                to_height: Some(4),
                ..EventFilter::default()
            })
            .is_err()
        );
    }
}
