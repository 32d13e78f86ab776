//! Entry-point signatures recorded by `#[entry]` in the `contract-signatures` custom section, and
//! the types they name.
//!
//! A line reads `name(arg: Type, …) -> Ret`. Types are Rust source text; [`TypeExpr::parse`] knows
//! the shapes the JSON codec can handle (integers, bool, String, ids, `Vec`, `Option`, arrays,
//! tuples, `Result`) and keeps anything else as [`TypeExpr::Named`].

use host_api::abi::SIGNATURE_SECTION;
use std::collections::BTreeMap;
use wasmparser::{Parser, Payload};

/// One entry point's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The entry point.
    pub name: String,
    /// `(label, type)` of each argument.
    pub args: Vec<(String, TypeExpr)>,
    /// The return type.
    pub ret: TypeExpr,
    /// The line as recorded.
    pub text: String,
}

/// A Rust type, as far as the JSON codec cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeExpr {
    /// `u8` … `u128`, `i8` … `i128`, `bool`, `String`, `str`, `()`.
    Prim(String),
    /// `Address`, `ContractId`: 32 bytes, written as hex.
    Id(String),
    /// `Vec<T>`.
    Vec(Box<TypeExpr>),
    /// `Option<T>`.
    Option(Box<TypeExpr>),
    /// `[T; N]`.
    Array(Box<TypeExpr>, usize),
    /// `(A, B, …)`.
    Tuple(Vec<TypeExpr>),
    /// `Result<T, E>`.
    Result(Box<TypeExpr>, Box<TypeExpr>),
    /// A type the codec does not know (a contract's own struct or enum).
    Named(String),
}

const PRIMITIVES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128", "bool", "String", "str",
];

impl TypeExpr {
    /// Parse type text; unknown shapes become [`TypeExpr::Named`].
    pub fn parse(text: &str) -> TypeExpr {
        let t = text.trim();
        let t = t.strip_prefix('&').map_or(t, str::trim);
        if t == "()" {
            return TypeExpr::Tuple(Vec::new());
        }
        if let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            return TypeExpr::Tuple(
                split_top(inner)
                    .iter()
                    .map(|p| TypeExpr::parse(p))
                    .collect(),
            );
        }
        if let Some(inner) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let parts = split_top_on(inner, ';');
            if let [elem, len] = parts.as_slice()
                && let Ok(n) = len.trim().parse()
            {
                return TypeExpr::Array(Box::new(TypeExpr::parse(elem)), n);
            }
            return TypeExpr::Named(t.to_string());
        }
        if let Some(open) = t.find('<')
            && let Some(inner) = t[open + 1..].strip_suffix('>')
        {
            let head = last_segment(&t[..open]);
            let params = split_top(inner);
            return match (head, params.as_slice()) {
                ("Vec", [a]) => TypeExpr::Vec(Box::new(TypeExpr::parse(a))),
                ("Option", [a]) => TypeExpr::Option(Box::new(TypeExpr::parse(a))),
                ("Result", [a, b]) => {
                    TypeExpr::Result(Box::new(TypeExpr::parse(a)), Box::new(TypeExpr::parse(b)))
                }
                _ => TypeExpr::Named(t.to_string()),
            };
        }
        let name = last_segment(t);
        if PRIMITIVES.contains(&name) {
            TypeExpr::Prim(name.to_string())
        } else if name == "Address" || name == "ContractId" {
            TypeExpr::Id(name.to_string())
        } else {
            TypeExpr::Named(t.to_string())
        }
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path).trim()
}

fn split_top(s: &str) -> Vec<String> {
    split_top_on(s, ',')
}

/// Split on `sep` outside brackets; empty trailing parts (a trailing comma) are dropped.
fn split_top_on(s: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in s.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Parse one signature line.
pub fn parse_line(line: &str) -> Option<Signature> {
    let line = line.trim();
    let open = line.find('(')?;
    let name = line[..open].trim().to_string();
    let (args_text, ret_text) = {
        // Find the `)` matching the first `(`.
        let mut depth = 0i32;
        let mut close = None;
        for (i, c) in line[open..].char_indices() {
            match c {
                '(' | '<' | '[' => depth += 1,
                ')' | '>' | ']' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        let ret = line[close + 1..]
            .trim()
            .strip_prefix("->")
            .map_or("()", str::trim);
        (&line[open + 1..close], ret)
    };
    let mut args = Vec::new();
    for part in split_top(args_text) {
        let (label, ty) = part.split_once(':')?;
        args.push((label.trim().to_string(), TypeExpr::parse(ty)));
    }
    Some(Signature {
        name,
        args,
        ret: TypeExpr::parse(ret_text),
        text: line.to_string(),
    })
}

/// The signatures recorded in a module, by entry-point name (empty if there are none, e.g. a
/// module written by hand).
pub fn read_signatures(wasm: &[u8]) -> BTreeMap<String, Signature> {
    let mut out = BTreeMap::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CustomSection(section)) = payload else {
            continue;
        };
        if section.name() != SIGNATURE_SECTION {
            continue;
        }
        let text = String::from_utf8_lossy(section.data());
        for sig in text.lines().filter_map(parse_line) {
            out.insert(sig.name.clone(), sig);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_signature_lines() {
        let sig =
            parse_line("transfer(to: Address, amount: u128) -> Result<(), TokenError>").unwrap();
        assert_eq!(sig.name, "transfer");
        assert_eq!(sig.args[0], ("to".into(), TypeExpr::Id("Address".into())));
        assert_eq!(
            sig.args[1],
            ("amount".into(), TypeExpr::Prim("u128".into()))
        );
        assert_eq!(
            sig.ret,
            TypeExpr::Result(
                Box::new(TypeExpr::Tuple(vec![])),
                Box::new(TypeExpr::Named("TokenError".into()))
            )
        );
        let sig = parse_line("get() -> u64").unwrap();
        assert!(sig.args.is_empty());
        let sig = parse_line("reset()").unwrap();
        assert_eq!(sig.ret, TypeExpr::Tuple(vec![]));
    }

    #[test]
    fn parses_nested_types() {
        assert_eq!(
            TypeExpr::parse("Vec<(u8, Option<host_api::Address>)>"),
            TypeExpr::Vec(Box::new(TypeExpr::Tuple(vec![
                TypeExpr::Prim("u8".into()),
                TypeExpr::Option(Box::new(TypeExpr::Id("Address".into()))),
            ])))
        );
        assert_eq!(
            TypeExpr::parse("[u8; 32]"),
            TypeExpr::Array(Box::new(TypeExpr::Prim("u8".into())), 32)
        );
        assert_eq!(
            TypeExpr::parse("MyStruct"),
            TypeExpr::Named("MyStruct".into())
        );
    }
}
