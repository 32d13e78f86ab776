//! JSON ⇄ borsh for the types a signature names, so users can write `--args '[5]'` instead of
//! hex. Integers accept JSON numbers or decimal strings (u128 does not fit a JSON number);
//! `Address`/`ContractId`/`[u8; N]`/`Vec<u8>` are hex strings (`0x` optional). `None` is
//! `null`; `Some(v)` is `v`, or `[v]` when `v` itself can be `null` (`Option<Option<T>>`,
//! `Option<()>`), so that every value has one JSON form and back.

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

/// Why `value` is not an integer of type `name` (whose range is `range`): out of range for an
/// integer, not an integer at all, or not a number.
fn int_error(name: &str, value: &Value, range: &str) -> CodecError {
    let integral = match value {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    if integral {
        // A JSON number past 2^64 arrives as a float: show it as the integer it stands for
        // (exact up to 2^53; past that, as close as a float holds it), not as `1.8e19`.
        let shown = match value {
            Value::Number(n) if !(n.is_i64() || n.is_u64()) => n
                .as_f64()
                .filter(|f| f.abs() < 1e30)
                .map_or_else(|| value.to_string(), |f| format!("{f:.0}")),
            _ => value.to_string(),
        };
        CodecError(format!(
            "{shown} is out of range for {name} ({range}); integers past 2^53 go as decimal strings"
        ))
    } else {
        CodecError(format!(
            "expected {name} (number or decimal string), got {value}"
        ))
    }
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
                .ok_or_else(|| int_error($name, $value, &format!("{}..={}", $ty::MIN, $ty::MAX)))?;
                $out.extend_from_slice(&n.to_le_bytes());
                return Ok(());
            })*
            _ => {}
        }
    };
}

/// Whether `ty` can be JSON `null` (an `Option`, `()`). An `Option` of such a type writes
/// `Some(v)` as the one-element array `[v]`: a bare `null` would be both `None` and `Some(null)`.
fn json_nullable(ty: &TypeExpr) -> bool {
    match ty {
        TypeExpr::Option(_) => true,
        TypeExpr::Tuple(elems) => elems.is_empty(),
        _ => false,
    }
}

/// The refusal of a `Some` of an optional type not written as `[value]`.
const SOME_OF_NULLABLE: &str =
    "expected null or a one-element array [value] for an Option of an optional type";

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
            Value::Array(items) if json_nullable(inner) => {
                let [v] = items.as_slice() else {
                    return err(SOME_OF_NULLABLE);
                };
                out.push(1);
                encode(inner, v, out)?;
            }
            _ if json_nullable(inner) => return err(SOME_OF_NULLABLE),
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

/// How many JSON values a decode may produce beyond one per byte of input. A value that takes
/// no bytes (`()`, an empty tuple) would otherwise let a type like `[(); 50000000]` turn a few
/// bytes into gigabytes of JSON; every other value consumes at least one byte, so the bytes
/// actually present bound the work.
pub const MAX_ZERO_SIZED_VALUES: usize = 1024;

/// Why borsh bytes could not be shown as JSON of a type.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The type is a contract's own (or a `Result` nested inside another type): the codec
    /// cannot know its layout.
    #[error("the codec does not know the layout of `{0}`")]
    Unknown(String),
    /// The bytes end before the value does.
    #[error("the bytes end before the value does")]
    Truncated,
    /// The value ends before the bytes do.
    #[error("{0} bytes are left after the value")]
    TrailingBytes(usize),
    /// A byte that the type does not allow (a `bool` of 2, an `Option` tag of 3, text that is
    /// not UTF-8).
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// Decoding would produce more values than the bytes allow (see [`MAX_ZERO_SIZED_VALUES`]).
    #[error(
        "decoding {bytes} bytes would produce more than {limit} values (one per byte plus \
         {MAX_ZERO_SIZED_VALUES})"
    )]
    TooManyValues {
        /// The input's length.
        bytes: usize,
        /// The values allowed for it.
        limit: usize,
    },
}

/// Decode borsh bytes as `ty` into JSON. The work is bounded by the bytes present: at most
/// one value per byte plus [`MAX_ZERO_SIZED_VALUES`], nested as deep as the type (itself at
/// most [`MAX_TYPE_DEPTH`](crate::signature::MAX_TYPE_DEPTH)).
///
/// # Errors
/// When the type is unknown, or the bytes do not fit it exactly, or would decode to too many
/// values.
pub fn decode(ty: &TypeExpr, bytes: &[u8]) -> Result<Value, DecodeError> {
    let limit = bytes.len().saturating_add(MAX_ZERO_SIZED_VALUES);
    let mut decoder = Decoder {
        rest: bytes,
        budget: limit,
        input: bytes.len(),
        limit,
    };
    let value = decoder.value(ty)?;
    match decoder.rest.len() {
        0 => Ok(value),
        left => Err(DecodeError::TrailingBytes(left)),
    }
}

/// The bytes left and the values still allowed.
struct Decoder<'a> {
    rest: &'a [u8],
    budget: usize,
    input: usize,
    limit: usize,
}

macro_rules! int_decode {
    ($decoder:expr, $name:expr, $($ty:ident),*) => {
        match $name {
            $(stringify!($ty) => {
                let b = $decoder.take(std::mem::size_of::<$ty>())?;
                let n = $ty::from_le_bytes(b.try_into().map_err(|_| DecodeError::Truncated)?);
                // 64-bit and wider integers as strings: JSON numbers lose precision past 2^53.
                return Ok(if std::mem::size_of::<$ty>() >= 8 {
                    Value::String(n.to_string())
                } else {
                    serde_json::json!(n)
                });
            })*
            _ => {}
        }
    };
}

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.rest.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn take_len(&mut self) -> Result<usize, DecodeError> {
        let b = self.take(4)?;
        let len = u32::from_le_bytes(b.try_into().map_err(|_| DecodeError::Truncated)?);
        Ok(len as usize)
    }

    /// `n` values of `elem`, refused before any work when even one byte each cannot be
    /// afforded by the budget.
    fn seq(&mut self, elem: &TypeExpr, n: usize) -> Result<Value, DecodeError> {
        if n > self.budget {
            return Err(self.too_many());
        }
        let mut items = Vec::new();
        for _ in 0..n {
            items.push(self.value(elem)?);
        }
        Ok(Value::Array(items))
    }

    fn too_many(&self) -> DecodeError {
        DecodeError::TooManyValues {
            bytes: self.input,
            limit: self.limit,
        }
    }

    fn value(&mut self, ty: &TypeExpr) -> Result<Value, DecodeError> {
        self.budget = self.budget.checked_sub(1).ok_or_else(|| self.too_many())?;
        match ty {
            TypeExpr::Prim(name) => {
                int_decode!(
                    self,
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
                    "bool" => match self.take(1)?[0] {
                        0 => Ok(Value::Bool(false)),
                        1 => Ok(Value::Bool(true)),
                        _ => Err(DecodeError::Invalid("bool")),
                    },
                    "String" | "str" => {
                        let n = self.take_len()?;
                        let text = self.take(n)?.to_vec();
                        String::from_utf8(text)
                            .map(Value::String)
                            .map_err(|_| DecodeError::Invalid("UTF-8 in a String"))
                    }
                    other => Err(DecodeError::Unknown(other.to_string())),
                }
            }
            TypeExpr::Id(_) => Ok(Value::String(hex::encode(self.take(32)?))),
            TypeExpr::Vec(elem) if **elem == TypeExpr::Prim("u8".into()) => {
                let n = self.take_len()?;
                Ok(Value::String(format!("0x{}", hex::encode(self.take(n)?))))
            }
            TypeExpr::Vec(elem) => {
                let n = self.take_len()?;
                self.seq(elem, n)
            }
            TypeExpr::Array(elem, n) if **elem == TypeExpr::Prim("u8".into()) => {
                Ok(Value::String(format!("0x{}", hex::encode(self.take(*n)?))))
            }
            TypeExpr::Array(elem, n) => self.seq(elem, *n),
            TypeExpr::Option(inner) => match self.take(1)?[0] {
                0 => Ok(Value::Null),
                1 => {
                    let value = self.value(inner)?;
                    Ok(if json_nullable(inner) {
                        Value::Array(vec![value])
                    } else {
                        value
                    })
                }
                _ => Err(DecodeError::Invalid("Option tag")),
            },
            TypeExpr::Tuple(elems) if elems.is_empty() => Ok(Value::Null),
            TypeExpr::Tuple(elems) => {
                let mut items = Vec::with_capacity(elems.len());
                for t in elems {
                    items.push(self.value(t)?);
                }
                Ok(Value::Array(items))
            }
            TypeExpr::Result(..) => Err(DecodeError::Unknown(format!("{ty:?}"))),
            TypeExpr::Named(name) => Err(DecodeError::Unknown(name.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ty(text: &str) -> TypeExpr {
        TypeExpr::parse(text).unwrap()
    }

    fn enc(text: &str, v: Value) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::new();
        encode(&ty(text), &v, &mut out).map(|()| out)
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
        let t = ty("(u32, Vec<String>, Option<bool>)");
        let bytes = borsh::to_vec(&(7u32, vec!["a".to_string()], Some(true))).unwrap();
        assert_eq!(decode(&t, &bytes), Ok(json!([7, ["a"], true])));
        assert_eq!(
            decode(&ty("u64"), &[1, 0, 0, 0, 0, 0, 0, 0]),
            Ok(json!("1"))
        );
        assert_eq!(decode(&ty("u64"), &[1, 0]), Err(DecodeError::Truncated));
        assert_eq!(
            decode(&ty("u8"), &[1, 2]),
            Err(DecodeError::TrailingBytes(1))
        );
        assert_eq!(
            decode(&ty("Vec<u32>"), &[255, 255, 255, 255]),
            Err(DecodeError::TooManyValues {
                bytes: 4,
                limit: 4 + MAX_ZERO_SIZED_VALUES
            })
        );
        assert_eq!(decode(&ty("bool"), &[2]), Err(DecodeError::Invalid("bool")));
        assert_eq!(
            decode(&ty("MyStruct"), &[]),
            Err(DecodeError::Unknown("MyStruct".into()))
        );
    }

    #[test]
    fn zero_sized_values_are_capped_at_the_limit() {
        // `[(); N]` takes no bytes: N values from nothing. The cap counts the array itself too.
        let at = ty(&format!("[(); {}]", MAX_ZERO_SIZED_VALUES - 1));
        let Ok(Value::Array(items)) = decode(&at, &[]) else {
            panic!("{MAX_ZERO_SIZED_VALUES} values decode");
        };
        assert_eq!(items.len(), MAX_ZERO_SIZED_VALUES - 1);
        let past = ty(&format!("[(); {MAX_ZERO_SIZED_VALUES}]"));
        assert!(matches!(
            decode(&past, &[]),
            Err(DecodeError::TooManyValues { bytes: 0, .. })
        ));
        // The hostile case: refused at once, not after fifty million iterations.
        let hostile = ty("[(); 50000000]");
        assert!(matches!(
            decode(&hostile, &[]),
            Err(DecodeError::TooManyValues { .. })
        ));
        // Each byte of input buys one more value: `Vec<()>` of 2,000 needs its own 4 length
        // bytes plus budget, so it is refused; `Vec<u8>`-like data of the same count is not.
        let mut many = 2_000u32.to_le_bytes().to_vec();
        assert!(decode(&ty("Vec<()>"), &many).is_err());
        many.extend(std::iter::repeat_n(0u8, 2_000));
        assert!(decode(&ty("Vec<bool>"), &many).is_ok());
    }

    /// The round trip the `signature_codec` fuzz target checks: `Some(None)` of an
    /// `Option<Option<T>>` (and `Some(())`) decoded to `null`, which encodes back as `None`.
    /// `Some` of an optional type is the one-element array `[v]`.
    #[test]
    fn some_of_an_optional_type_round_trips() {
        for (text, bytes, json) in [
            ("Option<Option<u8>>", vec![1, 0], json!([null])),
            ("Option<Option<u8>>", vec![1, 1, 7], json!([7])),
            ("Option<Option<u8>>", vec![0], json!(null)),
            ("Option<()>", vec![1], json!([null])),
            ("Option<()>", vec![0], json!(null)),
        ] {
            assert_eq!(decode(&ty(text), &bytes).unwrap(), json, "{text}");
            assert_eq!(enc(text, json).unwrap(), bytes, "{text}");
        }
        assert!(enc("Option<Option<u8>>", json!(7)).is_err());
        assert!(enc("Option<Option<u8>>", json!([1, 2])).is_err());
        assert_eq!(enc("Option<u8>", json!(7)).unwrap(), vec![1, 7]);
    }

    #[test]
    fn an_integer_past_its_type_says_out_of_range() {
        let mut out = Vec::new();
        let u64_ty = TypeExpr::Prim("u64".into());
        let past = serde_json::from_str::<Value>("18446744073709551616").unwrap();
        let e = encode(&u64_ty, &past, &mut out).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "18446744073709551616 is out of range for u64 (0..=18446744073709551615)"
            ),
            "{e}"
        );
        let e = encode(&u64_ty, &json!("18446744073709551616"), &mut out)
            .unwrap_err()
            .to_string();
        assert!(e.contains("out of range for u64"), "{e}");
        let e = encode(&u64_ty, &json!(-1), &mut out)
            .unwrap_err()
            .to_string();
        assert!(e.contains("out of range for u64"), "{e}");
        // At the limit it encodes.
        encode(&u64_ty, &json!("18446744073709551615"), &mut out).unwrap();
        let e = encode(&u64_ty, &json!(1.5), &mut out)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected u64"), "{e}");
    }
}
