//! Target `signature_codec`: the signature parser and the JSON ⇄ borsh codec.
//!
//! The input is a signature line, a newline, and bytes: the line is parsed; the bytes are
//! decoded as the return type and as each argument's type; whatever decodes must encode back
//! to exactly the same bytes (the codec accepts only canonical borsh). The whole input is also
//! read as a module's `contract-signatures` section.

use node_lite::json_borsh::{decode, encode};
use node_lite::signature::{TypeExpr, parse_line, read_signatures};

/// Parse, decode, re-encode and compare.
pub fn run(data: &[u8]) {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (line, bytes) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let line = String::from_utf8_lossy(line);
    if let Ok(signature) = parse_line(&line) {
        let types = signature.args.iter().map(|(_, ty)| ty);
        for ty in std::iter::once(&signature.ret).chain(types) {
            round_trip(ty, bytes);
        }
    }
    if let Ok(ty) = TypeExpr::parse(&line) {
        round_trip(&ty, bytes);
    }
    let _ = read_signatures(data);
}

/// Bytes that decode as `ty` encode back to themselves.
fn round_trip(ty: &TypeExpr, bytes: &[u8]) {
    let Ok(value) = decode(ty, bytes) else {
        return;
    };
    let mut again = Vec::new();
    encode(ty, &value, &mut again)
        .unwrap_or_else(|e| panic!("{value} decoded as {ty:?} does not encode back: {e}"));
    assert_eq!(again, bytes, "{value} as {ty:?} encodes to other bytes");
}
