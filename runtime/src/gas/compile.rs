//! Deploy and cold-load prices: one formula over a module's [`ModuleShape`], with one set of
//! coefficients for compiling it ([`PriceTable::deploy`]) and one for loading its compiled
//! artifact cold ([`PriceTable::load`]). See [Deploy and cold loads](super#deploy-and-cold-loads)
//! for the measurements.

use super::PriceTable;
use crate::shape::ModuleShape;

/// The coefficients of [`compile_price`]: a base and a price per unit of each count of a
/// [`ModuleShape`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompilePrices {
    /// Once per module.
    pub base: u64,
    /// Per byte of bytecode.
    pub per_byte: u64,
    /// Per function the module defines.
    pub per_function: u64,
    /// Per local of a defined function, parameters included.
    pub per_local: u64,
    /// Per operator of a function body.
    pub per_operator: u64,
    /// Per function type.
    pub per_type: u64,
    /// Per parameter or result of a function type.
    pub per_type_value: u64,
    /// Per `br_table` target (the default included).
    pub per_br_table_target: u64,
    /// Per branch unit ([`ModuleShape::branch_units`]).
    pub per_branch_unit: u64,
    /// Per unit of [`ModuleShape::branch_unit_pairs`]: the square of each function's branch
    /// units.
    pub per_branch_unit_pair: u64,
}

impl CompilePrices {
    /// Nothing charged.
    pub const ZERO: Self = Self {
        base: 0,
        per_byte: 0,
        per_function: 0,
        per_local: 0,
        per_operator: 0,
        per_type: 0,
        per_type_value: 0,
        per_br_table_target: 0,
        per_branch_unit: 0,
        per_branch_unit_pair: 0,
    };

    /// The default [`PriceTable::deploy`]: validation, compilation by Cranelift and the
    /// instantiation probe, each count priced by the kernel of `deploy_classes` that is
    /// slowest in it (see [Deploy and cold loads](super#deploy-and-cold-loads)).
    pub const fn deploy_default() -> Self {
        Self {
            base: 35_000_000,
            per_byte: 400,
            per_function: 1_000_000,
            per_local: 1_800,
            per_operator: 75_000,
            per_type: 100_000,
            per_type_value: 130_000,
            per_br_table_target: 20_000,
            per_branch_unit: 60_000,
            per_branch_unit_pair: 30,
        }
    }

    /// The default [`PriceTable::load`]: the disk load of a compiled artifact (read,
    /// checksum, deserialize, type registration, link).
    pub const fn load_default() -> Self {
        Self {
            base: 2_000_000,
            per_byte: 80,
            per_function: 5_000,
            per_local: 0,
            per_operator: 100,
            per_type: 45_000,
            per_type_value: 0,
            per_br_table_target: 0,
            per_branch_unit: 800,
            per_branch_unit_pair: 0,
        }
    }

    /// Every coefficient, in declaration order (what the schedule's fingerprint hashes).
    pub(crate) fn fields(&self) -> [u64; 10] {
        // Destructured, so a new field cannot be left out of the fingerprint.
        let Self {
            base,
            per_byte,
            per_function,
            per_local,
            per_operator,
            per_type,
            per_type_value,
            per_br_table_target,
            per_branch_unit,
            per_branch_unit_pair,
        } = *self;
        [
            base,
            per_byte,
            per_function,
            per_local,
            per_operator,
            per_type,
            per_type_value,
            per_br_table_target,
            per_branch_unit,
            per_branch_unit_pair,
        ]
    }
}

/// `prices` applied to `shape`: the base plus each count times its price, saturating (an
/// absurd module costs all the gas there is).
pub fn compile_price(prices: &CompilePrices, shape: &ModuleShape) -> u64 {
    let terms = [
        (prices.per_byte, shape.bytes),
        (prices.per_function, shape.functions),
        (prices.per_local, shape.locals),
        (prices.per_operator, shape.operators),
        (prices.per_type, shape.types),
        (prices.per_type_value, shape.type_values),
        (prices.per_br_table_target, shape.br_table_targets),
        (prices.per_branch_unit, shape.branch_units),
        (prices.per_branch_unit_pair, shape.branch_unit_pairs),
    ];
    terms.iter().fold(prices.base, |total, (price, count)| {
        total.saturating_add(price.saturating_mul(*count))
    })
}

/// [`compile_price`] of `code` under `prices`; a module that does not parse is priced by its
/// bytes alone (validation refuses it before anything is compiled).
fn price_of_code(prices: &CompilePrices, code: &[u8]) -> u64 {
    compile_price(prices, &crate::cache::shape_of(code))
}

/// The price of deploying a module of `shape` under `prices`: its validation and compilation
/// ([`compile_price`] with the deploy coefficients) and the commit of the new contract's record
/// ([`PriceTable::storage_commit_per_key`]: one more merkle leaf; the code's bytes are covered
/// many times over by the per-byte compile price). Charged by
/// [`Session::deploy_with_gas`](crate::Session::deploy_with_gas) before the module is
/// validated or compiled.
pub fn deploy_price(prices: &PriceTable, shape: &ModuleShape) -> u64 {
    compile_price(&prices.deploy, shape).saturating_add(prices.storage_commit_per_key)
}

/// [`deploy_price`] of the module `code` (its compile part priced by its bytes alone if it does
/// not parse).
pub fn module_deploy_price(prices: &PriceTable, code: &[u8]) -> u64 {
    price_of_code(&prices.deploy, code).saturating_add(prices.storage_commit_per_key)
}

/// The price of the first load, in a session, of a module of `shape` under `prices`:
/// charged to the first frame of the session that runs it (of each call tree, past the
/// session's warm bound), before the module is loaded, whether or not the node has it in
/// memory (see [Cold loads](super#cold-loads)).
pub fn load_price(prices: &PriceTable, shape: &ModuleShape) -> u64 {
    compile_price(&prices.load, shape)
}

/// [`load_price`] of the module `code` (priced by its bytes alone if it does not parse: such
/// a module never loads).
pub fn module_load_price(prices: &PriceTable, code: &[u8]) -> u64 {
    price_of_code(&prices.load, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_price_is_the_base_plus_each_count_times_its_price() {
        let p = CompilePrices {
            base: 1,
            per_byte: 2,
            per_function: 3,
            per_local: 5,
            per_operator: 7,
            per_type: 11,
            per_type_value: 13,
            per_br_table_target: 17,
            per_branch_unit: 23,
            per_branch_unit_pair: 19,
        };
        let s = ModuleShape {
            bytes: 1,
            functions: 10,
            locals: 100,
            operators: 1_000,
            types: 10_000,
            type_values: 100_000,
            br_table_targets: 1_000_000,
            branch_units: 7,
            branch_unit_pairs: 10_000_000,
        };
        assert_eq!(
            compile_price(&p, &s),
            1 + 2 + 30 + 500 + 7_000 + 110_000 + 1_300_000 + 17_000_000 + 7 * 23 + 190_000_000
        );
        assert_eq!(compile_price(&CompilePrices::ZERO, &s), 0);
        let absurd = ModuleShape {
            branch_unit_pairs: u64::MAX,
            ..s
        };
        assert_eq!(compile_price(&p, &absurd), u64::MAX);
    }

    #[test]
    fn a_module_that_does_not_parse_is_priced_by_its_bytes() {
        let p = PriceTable::default();
        let junk = [0xffu8; 100];
        assert_eq!(
            module_deploy_price(&p, &junk),
            p.deploy.base + 100 * p.deploy.per_byte + p.storage_commit_per_key
        );
        assert_eq!(
            module_load_price(&p, &junk),
            p.load.base + 100 * p.load.per_byte
        );
    }
}
