//! JSON ⇄ borsh for the types a signature names, so users can write `--args '[5]'` instead of
//! hex. Integers accept JSON numbers or decimal strings (u128 does not fit a JSON number);
//! `Address`/`ContractId`/`[u8; N]`/`Vec<u8>` are hex strings (`0x` optional).

use crate::signature::TypeExpr;
use serde_json::Value;

/// Why a JSON value could not be encoded as a type.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct CodecError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, CodecError> {
    Err(CodecError(message.into()))
}

fn parse_hex(s: &str) -> Result<Vec<u8>, CodecError> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| CodecError(format!("bad hex: {e}")))
}

macro_rules! int_case {
    ($out:expr, $value:expr, $name:expr, $($ty:ident),*) => {
        match $name {
            $(stringify!($ty) => {
                let n: $ty = match $value {
                    Value::Number(n) => n.to_string().parse().ok(),
                    Value::String(s) => s.parse().ok(),
                    _ => None,
                }
                .ok_or_else(|| CodecError(format!("expected {} (number or decimal string), got {}", $name, $value)))?;
                $out.extend_from_slice(&n.to_le_bytes());
                return Ok(());
            })*
            _ => {}
        }
    };
}

/// Append the borsh encoding of `value` as `ty` to `out`.
///
/// # Errors
/// When the JSON does not fit the type, or the type is not one the codec knows.
pub fn encode(ty: &TypeExpr, value: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
    match ty {
        TypeExpr::Prim(name) => {
            int_case!(
                out,
                value,
                name.as_str(),
                u8,
                u16,
                u32,
                u64,
                u128,
                i8,
                i16,
                i32,
                i64,
                i128
            );
            match (name.as_str(), value) {
                ("bool", Value::Bool(b)) => out.push(u8::from(*b)),
                ("String" | "str", Value::String(s)) => {
                    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    out.extend_from_slice(s.as_bytes());
                }
                _ => return err(format!("expected {name}, got {value}")),
            }
        }
        TypeExpr::Id(name) => {
            let Value::String(s) = value else {
                return err(format!("expected {name} as hex"));
            };
            let bytes = parse_hex(s)?;
            if bytes.len() != 32 {
                return err(format!("{name} must be 32 bytes, got {}", bytes.len()));
            }
            out.extend_from_slice(&bytes);
        }
        TypeExpr::Vec(elem) if **elem == TypeExpr::Prim("u8".into()) && value.is_string() => {
            let bytes = parse_hex(value.as_str().unwrap_or_default())?;
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        TypeExpr::Vec(elem) => {
            let Value::Array(items) = value else {
                return err(format!("expected an array, got {value}"));
            };
            out.extend_from_slice(&(items.len() as u32).to_le_bytes());
            for item in items {
                encode(elem, item, out)?;
            }
        }
        TypeExpr::Array(elem, n) if **elem == TypeExpr::Prim("u8".into()) && value.is_string() => {
            let bytes = parse_hex(value.as_str().unwrap_or_default())?;
            if bytes.len() != *n {
                return err(format!("expected {n} bytes, got {}", bytes.len()));
            }
            out.extend_from_slice(&bytes);
        }
        TypeExpr::Array(elem, n) => {
            let Value::Array(items) = value else {
                return err(format!("expected an array, got {value}"));
            };
            if items.len() != *n {
                return err(format!("expected {n} elements, got {}", items.len()));
            }
            for item in items {
                encode(elem, item, out)?;
            }
        }
        TypeExpr::Option(inner) => match value {
            Value::Null => out.push(0),
            v => {
                out.push(1);
                encode(inner, v, out)?;
            }
        },
        TypeExpr::Tuple(elems) => {
            let items: &[Value] = match value {
                Value::Array(items) => items,
                Value::Null if elems.is_empty() => &[],
                _ => return err(format!("expected an array of {} elements", elems.len())),
            };
            if items.len() != elems.len() {
                return err(format!(
                    "expected {} elements, got {}",
                    elems.len(),
                    items.len()
                ));
            }
            for (t, v) in elems.iter().zip(items) {
                encode(t, v, out)?;
            }
        }
        TypeExpr::Result(..) | TypeExpr::Named(_) => {
            return err(format!(
                "cannot encode type `{ty:?}` from JSON: pass the borsh bytes as --args 0x<hex>"
            ));
        }
    }
    Ok(())
}

/// Decode borsh bytes as `ty` into JSON; `None` when the type is unknown or the bytes do not
/// fit exactly.
pub fn decode(ty: &TypeExpr, bytes: &[u8]) -> Option<Value> {
    let mut rest = bytes;
    let value = decode_from(ty, &mut rest)?;
    rest.is_empty().then_some(value)
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if rest.len() < n {
        return None;
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Some(head)
}

fn take_len(rest: &mut &[u8]) -> Option<usize> {
    let b = take(rest, 4)?;
    Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
}

macro_rules! int_decode {
    ($rest:expr, $name:expr, $($ty:ident),*) => {
        match $name {
            $(stringify!($ty) => {
                let b = take($rest, std::mem::size_of::<$ty>())?;
                let n = $ty::from_le_bytes(b.try_into().ok()?);
                // 64-bit and wider integers as strings: JSON numbers lose precision past 2^53.
                return Some(if std::mem::size_of::<$ty>() >= 8 {
                    Value::String(n.to_string())
                } else {
                    serde_json::json!(n)
                });
            })*
            _ => {}
        }
    };
}

fn decode_from(ty: &TypeExpr, rest: &mut &[u8]) -> Option<Value> {
    match ty {
        TypeExpr::Prim(name) => {
            int_decode!(
                rest,
                name.as_str(),
                u8,
                u16,
                u32,
                u64,
                u128,
                i8,
                i16,
                i32,
                i64,
                i128
            );
            match name.as_str() {
                "bool" => match take(rest, 1)?[0] {
                    0 => Some(Value::Bool(false)),
                    1 => Some(Value::Bool(true)),
                    _ => None,
                },
                "String" | "str" => {
                    let n = take_len(rest)?;
                    Some(Value::String(
                        String::from_utf8(take(rest, n)?.to_vec()).ok()?,
                    ))
                }
                _ => None,
            }
        }
        TypeExpr::Id(_) => Some(Value::String(hex::encode(take(rest, 32)?))),
        TypeExpr::Vec(elem) if **elem == TypeExpr::Prim("u8".into()) => {
            let n = take_len(rest)?;
            Some(Value::String(format!("0x{}", hex::encode(take(rest, n)?))))
        }
        TypeExpr::Vec(elem) => {
            let n = take_len(rest)?;
            // Each element takes at least one byte; refuse absurd lengths before allocating.
            if n > rest.len() {
                return None;
            }
            (0..n)
                .map(|_| decode_from(elem, rest))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
        }
        TypeExpr::Array(elem, n) => {
            if **elem == TypeExpr::Prim("u8".into()) {
                return Some(Value::String(format!("0x{}", hex::encode(take(rest, *n)?))));
            }
            (0..*n)
                .map(|_| decode_from(elem, rest))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
        }
        TypeExpr::Option(inner) => match take(rest, 1)?[0] {
            0 => Some(Value::Null),
            1 => decode_from(inner, rest),
            _ => None,
        },
        TypeExpr::Tuple(elems) if elems.is_empty() => Some(Value::Null),
        TypeExpr::Tuple(elems) => elems
            .iter()
            .map(|t| decode_from(t, rest))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        TypeExpr::Result(..) | TypeExpr::Named(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(ty: &str, v: Value) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::new();
        encode(&TypeExpr::parse(ty), &v, &mut out).map(|()| out)
    }

    #[test]
    fn encodes_like_borsh() {
        assert_eq!(enc("u64", json!(5)).unwrap(), borsh::to_vec(&5u64).unwrap());
        assert_eq!(
            enc("u128", json!("340282366920938463463374607431768211455")).unwrap(),
            borsh::to_vec(&u128::MAX).unwrap()
        );
        assert_eq!(
            enc("String", json!("hi")).unwrap(),
            borsh::to_vec("hi").unwrap()
        );
        assert_eq!(
            enc("(u8, Option<u32>)", json!([1, null])).unwrap(),
            borsh::to_vec(&(1u8, None::<u32>)).unwrap()
        );
        assert_eq!(
            enc("Vec<u16>", json!([1, 2])).unwrap(),
            borsh::to_vec(&vec![1u16, 2]).unwrap()
        );
        assert_eq!(
            enc("Vec<u8>", json!("0x0102")).unwrap(),
            borsh::to_vec(&vec![1u8, 2]).unwrap()
        );
        let addr = "ab".repeat(32);
        assert_eq!(enc("Address", json!(addr)).unwrap(), vec![0xab; 32]);
    }

    #[test]
    fn refuses_what_does_not_fit() {
        assert!(enc("u8", json!(256)).is_err());
        assert!(enc("u64", json!(-1)).is_err());
        assert!(enc("Address", json!("abcd")).is_err());
        assert!(enc("bool", json!(1)).is_err());
        assert!(
            enc("MyStruct", json!({}))
                .unwrap_err()
                .0
                .contains("--args 0x")
        );
    }

    #[test]
    fn decodes_round_trip() {
        let t = TypeExpr::parse("(u32, Vec<String>, Option<bool>)");
        let bytes = borsh::to_vec(&(7u32, vec!["a".to_string()], Some(true))).unwrap();
        assert_eq!(decode(&t, &bytes), Some(json!([7, ["a"], true])));
        assert_eq!(
            decode(&TypeExpr::parse("u64"), &[1, 0, 0, 0, 0, 0, 0, 0]),
            Some(json!("1"))
        );
        assert_eq!(decode(&TypeExpr::parse("u64"), &[1, 0]), None);
        assert_eq!(
            decode(&TypeExpr::parse("u8"), &[1, 2]),
            None,
            "trailing bytes"
        );
        assert_eq!(
            decode(&TypeExpr::parse("Vec<u32>"), &[255, 255, 255, 255]),
            None
        );
    }
}
