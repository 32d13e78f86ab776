//! The shape of a module that compile time scales with: counts read from the bytecode in one
//! pass over its sections and function bodies, without validating or compiling anything. The
//! deploy price and the cold-load price ([`compile_price`](crate::gas::compile_price), with
//! [`PriceTable::deploy`](crate::PriceTable) and [`PriceTable::load`](crate::PriceTable)) are
//! the same formula over these counts.
//!
//! Owns only counting: no prices, no limits.

use wasmparser::{BinaryReaderError, Operator, Parser, Payload};

/// Branch units of an operator that splits the code into basic blocks or leaves it through
/// a trap check or a libcall (`loop`, with its fuel check, `if`, `br_if`, `br_table`,
/// `call_indirect`, `memory.grow`): Cranelift's register allocation and its passes over a
/// function's blocks take time that grows with the square of their number in one function.
pub const BRANCH_UNITS_HEAVY: u64 = 4;
/// Branch units of an operator that ends a block or calls out more cheaply (`br`, `else`,
/// `call`, the bulk memory operators).
pub const BRANCH_UNITS_LIGHT: u64 = 1;

/// What a module's compile time is measured against (see `gas.rs`, "Deploy and cold loads").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleShape {
    /// Bytes of bytecode.
    pub bytes: u64,
    /// Functions the module defines (imports excluded).
    pub functions: u64,
    /// Locals of the defined functions, parameters included, summed.
    pub locals: u64,
    /// Operators of all function bodies (each body's final `end` included).
    pub operators: u64,
    /// Function types of the type section.
    pub types: u64,
    /// Parameters and results of all function types, summed.
    pub type_values: u64,
    /// Targets of all `br_table`s, their defaults included.
    pub br_table_targets: u64,
    /// Branch units ([`BRANCH_UNITS_HEAVY`], [`BRANCH_UNITS_LIGHT`]) of all functions.
    pub branch_units: u64,
    /// The square of each function's branch units, summed: what makes a function of thousands
    /// of loops or `if`s compile for seconds.
    pub branch_unit_pairs: u64,
}

/// The [`ModuleShape`] of `code`.
///
/// # Errors
/// When the bytecode does not parse (a module that parses is not necessarily valid:
/// validation is separate).
pub fn module_shape(code: &[u8]) -> Result<ModuleShape, BinaryReaderError> {
    let mut shape = ModuleShape {
        bytes: code.len() as u64,
        ..ModuleShape::default()
    };
    // Parameters of each type, and the type of each defined function.
    let mut type_params: Vec<u64> = Vec::new();
    let mut function_types: Vec<u32> = Vec::new();
    let mut body_index = 0usize;
    for payload in Parser::new(0).parse_all(code) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        let (params, results) = match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(ft) => {
                                (ft.params().len() as u64, ft.results().len() as u64)
                            }
                            _ => (0, 0),
                        };
                        type_params.push(params);
                        shape.types += 1;
                        shape.type_values = shape.type_values.saturating_add(params + results);
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                shape.functions = u64::from(reader.count());
                for ty in reader {
                    function_types.push(ty?);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let params = function_types
                    .get(body_index)
                    .and_then(|ty| type_params.get(*ty as usize))
                    .copied()
                    .unwrap_or(0);
                body_index += 1;
                shape.locals = shape.locals.saturating_add(params);
                for local in body.get_locals_reader()? {
                    let (count, _) = local?;
                    shape.locals = shape.locals.saturating_add(u64::from(count));
                }
                count_body(&body, &mut shape)?;
            }
            _ => {}
        }
    }
    Ok(shape)
}

fn count_body(
    body: &wasmparser::FunctionBody<'_>,
    shape: &mut ModuleShape,
) -> Result<(), BinaryReaderError> {
    let mut units: u64 = 0;
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let op = reader.read()?;
        shape.operators += 1;
        units += match op {
            Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::BrIf { .. }
            | Operator::CallIndirect { .. }
            | Operator::MemoryGrow { .. } => BRANCH_UNITS_HEAVY,
            Operator::BrTable { targets } => {
                shape.br_table_targets = shape
                    .br_table_targets
                    .saturating_add(u64::from(targets.len()) + 1);
                BRANCH_UNITS_HEAVY
            }
            Operator::Br { .. }
            | Operator::Else
            | Operator::Call { .. }
            | Operator::MemoryCopy { .. }
            | Operator::MemoryFill { .. }
            | Operator::MemoryInit { .. }
            | Operator::TableCopy { .. }
            | Operator::TableInit { .. } => BRANCH_UNITS_LIGHT,
            _ => 0,
        };
    }
    shape.branch_units = shape.branch_units.saturating_add(units);
    shape.branch_unit_pairs = shape
        .branch_unit_pairs
        .saturating_add(units.saturating_mul(units));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_small_module() {
        let code = wat::parse_str(
            r#"(module (memory (export "memory") 1)
              (func (param i32 i32) (result i32) (local i64 i64 i64)
                (block (loop (block (br_table 0 1 2 (local.get 0)))))
                (i32.const 0))
              (func (export "run") (param i32) (result i32) (call 0 (i32.const 1) (i32.const 2))))"#,
        )
        .unwrap();
        let s = module_shape(&code).unwrap();
        assert_eq!(s.bytes, code.len() as u64);
        assert_eq!(s.functions, 2);
        assert_eq!(s.locals, 2 + 3 + 1);
        // block loop block local.get br_table end end end i32.const end
        // | i32.const i32.const call end
        assert_eq!(s.operators, 10 + 4);
        assert_eq!((s.types, s.type_values), (2, 3 + 2));
        assert_eq!(s.br_table_targets, 3);
        // loop + br_table in the first function, a call in the second
        assert_eq!(s.branch_units, 8 + 1);
        assert_eq!(s.branch_unit_pairs, 64 + 1);
    }

    #[test]
    fn branch_units_are_squared_per_function() {
        let loops = |n: usize| "(loop)".repeat(n);
        let one = wat::parse_str(format!(
            r#"(module (func {}) (func {}))"#,
            loops(100),
            loops(100)
        ))
        .unwrap();
        let s = module_shape(&one).unwrap();
        assert_eq!(s.branch_units, 800);
        assert_eq!(s.branch_unit_pairs, 2 * 400 * 400);
    }

    #[test]
    fn a_module_that_does_not_parse_is_an_error() {
        assert!(module_shape(b"\0asm\x01\0\0\0\x01\xff").is_err());
    }
}
