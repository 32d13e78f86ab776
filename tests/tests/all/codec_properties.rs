//! Property tests of node-lite's JSON ⇄ borsh codec and signature parser, for random types:
//! a type's text parses back to the type, and JSON arguments round-trip through the codec
//! (encode, decode, encode again gives the same bytes; decoding again gives the same JSON).

use node_lite::json_borsh::{decode, encode};
use node_lite::signature::{TypeExpr, parse_line};
use proptest::prelude::*;
use serde_json::{Value, json};

const INTS: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
];

/// Random types the codec encodes from JSON, nested up to 4 levels.
fn type_expr() -> impl Strategy<Value = TypeExpr> {
    let leaf = prop_oneof![
        proptest::sample::select(INTS).prop_map(|n| TypeExpr::Prim(n.into())),
        Just(TypeExpr::Prim("bool".into())),
        Just(TypeExpr::Prim("String".into())),
        Just(TypeExpr::Id("Address".into())),
        Just(TypeExpr::Id("ContractId".into())),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| TypeExpr::Vec(Box::new(t))),
            inner.clone().prop_map(|t| TypeExpr::Option(Box::new(t))),
            (inner.clone(), 0usize..4).prop_map(|(t, n)| TypeExpr::Array(Box::new(t), n)),
            proptest::collection::vec(inner, 2..4).prop_map(TypeExpr::Tuple),
        ]
    })
}

/// The Rust text of a type, as a signature writes it.
fn text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Prim(n) | TypeExpr::Id(n) | TypeExpr::Named(n) => n.clone(),
        TypeExpr::Vec(t) => format!("Vec<{}>", text(t)),
        TypeExpr::Option(t) => format!("Option<{}>", text(t)),
        TypeExpr::Array(t, n) => format!("[{}; {n}]", text(t)),
        TypeExpr::Tuple(ts) => format!("({})", ts.iter().map(text).collect::<Vec<_>>().join(", ")),
        TypeExpr::Result(t, e) => format!("Result<{}, {}>", text(t), text(e)),
    }
}

/// Random numbers drawn from proptest's values, cycling.
struct Draw {
    numbers: Vec<u64>,
    at: usize,
}

impl Draw {
    fn next(&mut self) -> u64 {
        self.at += 1;
        self.numbers[self.at % self.numbers.len()].wrapping_add(self.at as u64)
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| format!("{:02x}", self.next() as u8))
            .collect()
    }
}

/// A JSON value of type `ty`.
fn value(ty: &TypeExpr, draw: &mut Draw) -> Value {
    match ty {
        TypeExpr::Prim(n) => match n.as_str() {
            "bool" => json!(draw.next().is_multiple_of(2)),
            "String" => json!(format!("s{}é", draw.next() % 1000)),
            "u8" => json!(draw.next() as u8),
            "u16" => json!(draw.next() as u16),
            "u32" => json!(draw.next() as u32),
            "u64" => json!(draw.next()),
            "i8" => json!(draw.next() as i8),
            "i16" => json!(draw.next() as i16),
            "i32" => json!(draw.next() as i32),
            "i64" => json!(draw.next() as i64),
            "u128" => json!((u128::from(draw.next()) << 64 | u128::from(draw.next())).to_string()),
            _ => {
                json!((i128::from(draw.next() as i64) << 64 | i128::from(draw.next())).to_string())
            }
        },
        TypeExpr::Id(_) => json!(draw.hex(32)),
        TypeExpr::Vec(t) if **t == TypeExpr::Prim("u8".into()) => {
            let n = (draw.next() % 5) as usize;
            json!(draw.hex(n))
        }
        TypeExpr::Array(t, n) if **t == TypeExpr::Prim("u8".into()) => json!(draw.hex(*n)),
        TypeExpr::Vec(t) => {
            let n = draw.next() % 3;
            Value::Array((0..n).map(|_| value(t, draw)).collect())
        }
        TypeExpr::Array(t, n) => Value::Array((0..*n).map(|_| value(t, draw)).collect()),
        TypeExpr::Option(t) => {
            if draw.next().is_multiple_of(2) {
                Value::Null
            } else if matches!(**t, TypeExpr::Option(_)) {
                json!([value(t, draw)]) // Some of an optional type: [v]
            } else {
                value(t, draw)
            }
        }
        TypeExpr::Tuple(ts) => Value::Array(ts.iter().map(|t| value(t, draw)).collect()),
        TypeExpr::Result(..) | TypeExpr::Named(_) => Value::Null,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_types_text_parses_back_to_the_type(ty in type_expr()) {
        let parsed = TypeExpr::parse(&text(&ty)).unwrap();
        prop_assert_eq!(&parsed, &ty);
        let line = format!("f(a: {}, b: u8) -> {}", text(&ty), text(&ty));
        let signature = parse_line(&line).unwrap();
        prop_assert_eq!(&signature.args[0].1, &ty);
        prop_assert_eq!(&signature.ret, &ty);
    }

    #[test]
    fn json_arguments_round_trip_through_the_codec(
        ty in type_expr(),
        seed in proptest::collection::vec(any::<u64>(), 64),
    ) {
        let json = value(&ty, &mut Draw { numbers: seed, at: 0 });
        let mut bytes = Vec::new();
        encode(&ty, &json, &mut bytes).unwrap();
        let decoded = decode(&ty, &bytes).unwrap();
        let mut again = Vec::new();
        encode(&ty, &decoded, &mut again).unwrap();
        prop_assert_eq!(&again, &bytes, "{} as {}", json, text(&ty));
        prop_assert_eq!(decode(&ty, &again).unwrap(), decoded);
    }
}
