//! Entry-point signatures recorded by `#[entry]` in the `contract-signatures` custom section, and
//! the types they name.
//!
//! A line reads `name(arg: Type, …) -> Ret`. Types are Rust source text; [`TypeExpr::parse`] knows
//! the shapes the JSON codec can handle (integers, bool, String, ids, `Vec`, `Option`, arrays,
//! tuples, `Result`) and keeps anything else as [`TypeExpr::Named`].
//!
//! The section is untrusted: any module can carry any bytes there. So the parser is one pass
//! over each line (linear time, no rescanning per nesting level), refuses a line longer than
//! [`MAX_SIGNATURE_LINE_BYTES`], a type nested deeper than [`MAX_TYPE_DEPTH`] and a section over
//! [`MAX_SIGNATURE_SECTION_BYTES`], each with a [`SignatureError`] naming the limit. A refused
//! line or section never stops the module from being deployed or called: its signatures are
//! ignored and [`Signatures::warnings`] says why, for the tools to print.

use host_api::abi::SIGNATURE_SECTION;
use std::collections::BTreeMap;
use wasmparser::{Parser, Payload};

/// The deepest nesting of types (`Vec<Option<(u8, …)>>`) a signature may use: each `<`, `(`
/// and `[` opens a level. Real contracts use a handful; the cap bounds the parser's recursion
/// (and so its stack) and the codec's.
pub const MAX_TYPE_DEPTH: usize = 32;

/// The longest signature line, in bytes. `#[entry]` writes one short line per entry point.
pub const MAX_SIGNATURE_LINE_BYTES: usize = 4096;

/// The largest `contract-signatures` section read, in bytes: [`MAX_SIGNATURE_LINE_BYTES`] for
/// each of up to 64 entry points (the default deploy limit is 256 exports of any kind).
pub const MAX_SIGNATURE_SECTION_BYTES: usize = 64 * MAX_SIGNATURE_LINE_BYTES;

/// Why a signature line (or section) was not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The line is over [`MAX_SIGNATURE_LINE_BYTES`].
    #[error("signature line of {len} bytes is over the limit of {MAX_SIGNATURE_LINE_BYTES} bytes")]
    LineTooLong {
        /// The line's length in bytes.
        len: usize,
    },
    /// A type nests deeper than [`MAX_TYPE_DEPTH`].
    #[error("type nested deeper than the limit of {MAX_TYPE_DEPTH} levels")]
    TooDeep,
    /// The `contract-signatures` section is over [`MAX_SIGNATURE_SECTION_BYTES`].
    #[error(
        "`{SIGNATURE_SECTION}` section of {len} bytes is over the limit of \
         {MAX_SIGNATURE_SECTION_BYTES} bytes"
    )]
    SectionTooLarge {
        /// The section's length in bytes.
        len: usize,
    },
    /// The line is not `name(label: Type, …) [-> Ret]`.
    #[error("malformed signature line: {0}")]
    Malformed(&'static str),
}

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
    ///
    /// # Errors
    /// [`SignatureError::TooDeep`] past [`MAX_TYPE_DEPTH`] levels of nesting.
    pub fn parse(text: &str) -> Result<TypeExpr, SignatureError> {
        let mut cursor = Cursor::new(text);
        let ty = cursor.ty(0)?;
        cursor.skip_ws();
        if cursor.at_end() {
            Ok(ty)
        } else {
            // Trailing text after a type (`Foo + Bar`): keep the whole text as a name, after
            // checking that its nesting is within bounds.
            let mut whole = Cursor::new(text);
            whole.skip_balanced(0, true)?;
            Ok(TypeExpr::Named(text.trim().to_string()))
        }
    }
}

/// A one-pass reader over a signature line. Every method advances; none rescans.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// A path (`host_api::Address`, `u64`): identifier characters and `::`.
    fn path(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || c == '_' || self.rest().starts_with("::") {
                let step = if c == ':' { 2 } else { c.len_utf8() };
                self.pos += step;
            } else {
                break;
            }
        }
        &self.text[start..self.pos]
    }

    /// Skip a type the parser does not model, up to the `,`, `;` or closing bracket that ends it
    /// at this level (or the end of the text with `to_end`), tracking nesting against
    /// [`MAX_TYPE_DEPTH`].
    fn skip_balanced(&mut self, depth: usize, to_end: bool) -> Result<(), SignatureError> {
        let mut open = 0usize;
        while let Some(c) = self.peek() {
            match c {
                '<' | '(' | '[' => {
                    open += 1;
                    if depth + open > MAX_TYPE_DEPTH {
                        return Err(SignatureError::TooDeep);
                    }
                }
                '>' | ')' | ']' if open == 0 && !to_end => return Ok(()),
                '>' | ')' | ']' => open = open.saturating_sub(1),
                ',' | ';' if open == 0 && !to_end => return Ok(()),
                _ => {}
            }
            self.bump();
        }
        Ok(())
    }

    /// A type at nesting `depth`. Stops before the `,`, `;`, `>`, `)` or `]` after it.
    fn ty(&mut self, depth: usize) -> Result<TypeExpr, SignatureError> {
        if depth > MAX_TYPE_DEPTH {
            return Err(SignatureError::TooDeep);
        }
        self.skip_ws();
        if self.peek() == Some('&') {
            self.bump();
            self.skip_ws();
        }
        let start = self.pos;
        let parsed = match self.peek() {
            Some('(') => {
                self.bump();
                let elems = self.list(depth + 1, ')')?;
                elems.map(TypeExpr::Tuple)
            }
            Some('[') => {
                self.bump();
                self.array(depth + 1)?
            }
            _ => self.named_or_generic(depth)?,
        };
        match parsed {
            Some(ty) => Ok(ty),
            None => {
                // Not a shape the codec models: skip to the end of this type and keep its text.
                self.pos = start;
                self.skip_balanced(depth, false)?;
                Ok(TypeExpr::Named(
                    self.text[start..self.pos].trim().to_string(),
                ))
            }
        }
    }

    /// `T, T, …` up to `close` (consumed); a trailing comma is allowed. `None` if the list is
    /// not well formed.
    fn list(&mut self, depth: usize, close: char) -> Result<Option<Vec<TypeExpr>>, SignatureError> {
        let mut elems = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(Some(elems));
            }
            elems.push(self.ty(depth)?);
            if self.eat(',') {
                continue;
            }
            return Ok(self.eat(close).then_some(elems));
        }
    }

    /// After `[`: `T; N]`. `None` for a slice `[T]` or a length that is not a number.
    fn array(&mut self, depth: usize) -> Result<Option<TypeExpr>, SignatureError> {
        let elem = self.ty(depth)?;
        if !self.eat(';') {
            return Ok(None);
        }
        self.skip_ws();
        let digits = self.rest().len()
            - self
                .rest()
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        let len = self.rest()[..digits].parse().ok();
        self.pos += digits;
        match (len, self.eat(']')) {
            (Some(n), true) => Ok(Some(TypeExpr::Array(Box::new(elem), n))),
            _ => Ok(None),
        }
    }

    /// A path with optional generic arguments: `Vec<T>`, `Option<T>`, `Result<T, E>`, a
    /// primitive, an id, or a named type.
    fn named_or_generic(&mut self, depth: usize) -> Result<Option<TypeExpr>, SignatureError> {
        let path = self.path();
        if path.is_empty() {
            return Ok(None);
        }
        let head = path.rsplit("::").next().unwrap_or(path);
        let start_args = self.pos;
        self.skip_ws();
        if self.peek() != Some('<') {
            self.pos = start_args;
            return Ok(Some(if PRIMITIVES.contains(&head) {
                TypeExpr::Prim(head.to_string())
            } else if head == "Address" || head == "ContractId" {
                TypeExpr::Id(head.to_string())
            } else {
                TypeExpr::Named(path.to_string())
            }));
        }
        self.bump();
        let Some(mut params) = self.list(depth + 1, '>')? else {
            return Ok(None);
        };
        Ok(match (head, params.len()) {
            ("Vec", 1) => params.pop().map(|a| TypeExpr::Vec(Box::new(a))),
            ("Option", 1) => params.pop().map(|a| TypeExpr::Option(Box::new(a))),
            ("Result", 2) => {
                let err = params.pop();
                let ok = params.pop();
                ok.zip(err)
                    .map(|(ok, err)| TypeExpr::Result(Box::new(ok), Box::new(err)))
            }
            _ => None,
        })
    }
}

/// Parse one signature line.
///
/// # Errors
/// A line over [`MAX_SIGNATURE_LINE_BYTES`], a type over [`MAX_TYPE_DEPTH`], or a line that is
/// not `name(label: Type, …) [-> Ret]`.
pub fn parse_line(line: &str) -> Result<Signature, SignatureError> {
    if line.len() > MAX_SIGNATURE_LINE_BYTES {
        return Err(SignatureError::LineTooLong { len: line.len() });
    }
    let line = line.trim();
    let open = line
        .find('(')
        .ok_or(SignatureError::Malformed("no `(` after the name"))?;
    let name = line[..open].trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(SignatureError::Malformed("the name is empty or has spaces"));
    }
    let mut cursor = Cursor::new(line);
    cursor.pos = open + 1;
    let mut args = Vec::new();
    loop {
        if cursor.eat(')') {
            break;
        }
        cursor.skip_ws();
        let label = cursor.path();
        if label.is_empty() || !cursor.eat(':') {
            return Err(SignatureError::Malformed(
                "an argument is not `label: Type`",
            ));
        }
        args.push((label.to_string(), cursor.ty(0)?));
        if cursor.eat(',') {
            continue;
        }
        if cursor.eat(')') {
            break;
        }
        return Err(SignatureError::Malformed("the argument list is not closed"));
    }
    cursor.skip_ws();
    let ret = match cursor.rest().strip_prefix("->") {
        Some(ret) => TypeExpr::parse(ret)?,
        None if cursor.at_end() => TypeExpr::Tuple(Vec::new()),
        None => {
            return Err(SignatureError::Malformed(
                "text after the arguments is not `-> Ret`",
            ));
        }
    };
    Ok(Signature {
        name: name.to_string(),
        args,
        ret,
        text: line.to_string(),
    })
}

/// The signatures a module records, and why any were ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signatures {
    by_name: BTreeMap<String, Signature>,
    /// One message per line or section ignored (empty for a module written by `#[entry]`).
    pub warnings: Vec<String>,
}

impl Signatures {
    /// The signature of entry point `name`, if recorded.
    pub fn get(&self, name: &str) -> Option<&Signature> {
        self.by_name.get(name)
    }

    /// Every recorded signature, by name.
    pub fn values(&self) -> impl Iterator<Item = &Signature> {
        self.by_name.values()
    }

    /// Whether none is recorded.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// The signatures recorded in a module (none for a module written by hand). Lines and sections
/// over a limit, or malformed, are skipped with a warning; they never fail the module.
pub fn read_signatures(wasm: &[u8]) -> Signatures {
    let mut out = Signatures::default();
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CustomSection(section)) = payload else {
            continue;
        };
        if section.name() != SIGNATURE_SECTION {
            continue;
        }
        if section.data().len() > MAX_SIGNATURE_SECTION_BYTES {
            let len = section.data().len();
            out.warnings.push(format!(
                "signatures ignored: {}",
                SignatureError::SectionTooLarge { len }
            ));
            continue;
        }
        let text = String::from_utf8_lossy(section.data());
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line) {
                Ok(sig) => {
                    out.by_name.insert(sig.name.clone(), sig);
                }
                Err(e) => out.warnings.push(format!(
                    "`{SIGNATURE_SECTION}` line {} ignored: {e}",
                    number + 1
                )),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TypeExpr {
        TypeExpr::parse(text).unwrap()
    }

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
        let sig = parse_line("  pair(a: (u8, u16,), b: &str)  ").unwrap();
        assert_eq!(sig.args.len(), 2);
        assert_eq!(sig.args[1].1, TypeExpr::Prim("str".into()));
    }

    #[test]
    fn parses_nested_types() {
        assert_eq!(
            parse("Vec<(u8, Option<host_api::Address>)>"),
            TypeExpr::Vec(Box::new(TypeExpr::Tuple(vec![
                TypeExpr::Prim("u8".into()),
                TypeExpr::Option(Box::new(TypeExpr::Id("Address".into()))),
            ])))
        );
        assert_eq!(
            parse("[u8; 32]"),
            TypeExpr::Array(Box::new(TypeExpr::Prim("u8".into())), 32)
        );
        assert_eq!(parse("MyStruct"), TypeExpr::Named("MyStruct".into()));
    }

    #[test]
    fn unknown_shapes_are_named_with_their_text() {
        assert_eq!(parse("[u8]"), TypeExpr::Named("[u8]".into()));
        assert_eq!(
            parse("BTreeMap<u8, u16>"),
            TypeExpr::Named("BTreeMap<u8, u16>".into())
        );
        assert_eq!(
            parse("Vec<HashMap<u8, u16>>"),
            TypeExpr::Vec(Box::new(TypeExpr::Named("HashMap<u8, u16>".into())))
        );
        assert_eq!(parse("Foo + Bar"), TypeExpr::Named("Foo + Bar".into()));
        assert_eq!(parse("[u8; n]"), TypeExpr::Named("[u8; n]".into()));
        // A named type inside a list ends at its own comma.
        assert_eq!(
            parse("(&'a str, u8)"),
            TypeExpr::Tuple(vec![
                TypeExpr::Named("'a str".into()),
                TypeExpr::Prim("u8".into())
            ])
        );
    }

    fn nested(levels: usize, open: &str, close: &str) -> String {
        format!("{}u8{}", open.repeat(levels), close.repeat(levels))
    }

    #[test]
    fn nesting_is_capped_at_the_limit() {
        for (open, close) in [("Vec<", ">"), ("(", ",)"), ("[", "; 1]"), ("Foo<", ">")] {
            let at = nested(MAX_TYPE_DEPTH, open, close);
            assert!(
                TypeExpr::parse(&at).is_ok(),
                "{open}: {MAX_TYPE_DEPTH} levels"
            );
            let past = nested(MAX_TYPE_DEPTH + 1, open, close);
            assert_eq!(
                TypeExpr::parse(&past),
                Err(SignatureError::TooDeep),
                "{open}"
            );
            let line = format!("f(x: {past})");
            assert_eq!(parse_line(&line).unwrap_err(), SignatureError::TooDeep);
        }
        // Unbalanced opening brackets count too (they are never closed).
        let open_only = format!("f() -> {}", "<".repeat(MAX_TYPE_DEPTH + 1));
        assert_eq!(parse_line(&open_only).unwrap_err(), SignatureError::TooDeep);
    }

    #[test]
    fn line_length_is_capped_at_the_limit() {
        let prefix = "f(x: u8) -> ";
        let name = "N".repeat(MAX_SIGNATURE_LINE_BYTES - prefix.len());
        let at = format!("{prefix}{name}");
        assert_eq!(at.len(), MAX_SIGNATURE_LINE_BYTES);
        assert_eq!(parse_line(&at).unwrap().ret, TypeExpr::Named(name.clone()));
        let past = format!("{at}N");
        assert_eq!(
            parse_line(&past).unwrap_err(),
            SignatureError::LineTooLong {
                len: MAX_SIGNATURE_LINE_BYTES + 1
            }
        );
    }

    #[test]
    fn malformed_lines_are_refused_by_kind() {
        for line in ["no parens", "(x: u8)", "f(x u8)", "f(x: u8", "f(x: u8) u8"] {
            assert!(
                matches!(parse_line(line), Err(SignatureError::Malformed(_))),
                "{line}"
            );
        }
    }

    /// A module whose code is valid and whose `contract-signatures` section is `section`.
    fn module_with_section(section: &[u8]) -> Vec<u8> {
        let data: String = section.iter().map(|b| format!("\\{b:02x}")).collect();
        wat::parse_str(format!(
            r#"(module (@custom "{SIGNATURE_SECTION}" "{data}") (memory (export "memory") 1))"#
        ))
        .unwrap()
    }

    #[test]
    fn hostile_lines_are_skipped_with_a_warning_and_the_rest_kept() {
        let deep = format!("deep(x: {})", nested(20_000, "Vec<", ">"));
        let too_deep = format!("too_deep(x: {})", nested(MAX_TYPE_DEPTH + 1, "Vec<", ">"));
        let text = format!("get() -> u64\n{deep}\nset(v: u64)\n{too_deep}\n");
        let sigs = read_signatures(&module_with_section(text.as_bytes()));
        assert!(sigs.get("get").is_some() && sigs.get("set").is_some());
        assert!(sigs.get("deep").is_none() && sigs.get("too_deep").is_none());
        assert_eq!(sigs.warnings.len(), 2, "{:?}", sigs.warnings);
        assert!(sigs.warnings[0].contains("line 2") && sigs.warnings[0].contains("4096 bytes"));
        assert!(sigs.warnings[1].contains("line 4") && sigs.warnings[1].contains("32 levels"));
    }

    #[test]
    fn section_size_is_capped_at_the_limit() {
        let line = "get() -> u64\n";
        let mut at = line.repeat(MAX_SIGNATURE_SECTION_BYTES / line.len());
        at.push_str(&" ".repeat(MAX_SIGNATURE_SECTION_BYTES - at.len()));
        assert_eq!(at.len(), MAX_SIGNATURE_SECTION_BYTES);
        let sigs = read_signatures(&module_with_section(at.as_bytes()));
        assert!(sigs.get("get").is_some() && sigs.warnings.is_empty());
        at.push(' ');
        let sigs = read_signatures(&module_with_section(at.as_bytes()));
        assert!(sigs.is_empty());
        assert_eq!(
            sigs.warnings,
            vec![format!(
                "signatures ignored: {}",
                SignatureError::SectionTooLarge {
                    len: MAX_SIGNATURE_SECTION_BYTES + 1
                }
            )]
        );
    }
}
