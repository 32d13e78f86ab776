//! The operator cost table: the fuel wasmtime's compiler charges per class of wasm operator
//! (see the parent module's [Operator costs](super#operator-costs) for how each was measured).

/// The fuel cost of each class of wasm operator: the table wasmtime's compiler charges from
/// (see [Operator costs](super#operator-costs)). Every operator of the features the runtime
/// enables (see [`crate::validate`]) belongs to exactly one class; an operator costs 0 only
/// where the compiled code does no work for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorCosts {
    /// Integer constants, `add`/`sub`, `and`/`or`/`xor`, shifts and rotations, sign extension,
    /// `wrap` and `extend`.
    pub integer: u8,
    /// Integer comparisons and `eqz` (a compare and a flag turned into a value).
    pub compare: u8,
    /// `clz`, `ctz`, `popcnt`.
    pub bit_count: u8,
    /// `local.get`, `local.set`, `local.tee` (a register, or a stack slot once spilled).
    pub local: u8,
    /// `global.get`, `global.set` (a load or store in the instance).
    pub global: u8,
    /// `i32.mul`, `i64.mul`.
    pub multiply: u8,
    /// Division and remainder, signed and unsigned, 32 and 64 bits (with their trap checks).
    pub divide: u8,
    /// Float constants, `add`/`sub`/`mul`, comparisons, `abs`/`neg`/`copysign` (with NaN
    /// canonicalization where the result is a float).
    pub float: u8,
    /// `div` and `sqrt` of `f32` and `f64`.
    pub float_div_sqrt: u8,
    /// `min` and `max` (NaN and signed-zero rules make them a sequence).
    pub float_min_max: u8,
    /// `ceil`, `floor`, `trunc`, `nearest`.
    pub float_round: u8,
    /// Float ↔ integer conversions (trapping and saturating), `demote`/`promote`,
    /// `reinterpret`.
    pub conversion: u8,
    /// Every load (bounds check included: the pooling allocator's guard pages make it free).
    pub load: u8,
    /// Every store.
    pub store: u8,
    /// `memory.size`.
    pub memory_size: u8,
    /// `memory.grow` (a call into the host; the pages themselves are charged by
    /// [`PriceTable::memory_grow_per_page`](super::PriceTable::memory_grow_per_page)).
    pub memory_grow: u8,
    /// A direct `call` (the callee's entry adds 1 more: wasmtime's fuel at function entry).
    pub call: u8,
    /// `call_indirect` (a table load and a signature check on top of a call).
    pub call_indirect: u8,
    /// `return`.
    pub ret: u8,
    /// `br`, `br_if`: a branch, and, since any of them may be a loop's back edge, the fuel
    /// check of the loop header it jumps to.
    pub branch: u8,
    /// `if`, `else`: a forward branch (never a back edge).
    pub if_else: u8,
    /// `br_table` (a bounds check, a table load, an indirect jump, and on a back edge the
    /// loop header's fuel check).
    pub br_table: u8,
    /// `select`.
    pub select: u8,
    /// `loop`: entering a loop from outside runs the fuel check of its header.
    pub loop_entry: u8,
    /// `memory.copy`, `memory.fill`, `memory.init`, `data.drop` and the table bulk operators
    /// (a call into the host), before the per-byte cost.
    pub bulk: u8,
    /// Per byte copied or filled by `memory.copy`, `memory.fill`, `memory.init`, and per element
    /// of `table.copy`/`table.init`.
    pub bulk_per_byte: u8,
}

impl Default for OperatorCosts {
    /// The [`measured`](Self::measured) table: the one under which a block's gas bounds its
    /// time.
    fn default() -> Self {
        Self::measured()
    }
}

/// Set the cost of each listed operator of a wasmtime [`wasmtime::OperatorCost`] table.
macro_rules! set_costs {
    ($table:ident, $cost:expr; $($op:ident)*) => {
        $( $table.$op = $cost; )*
    };
}

impl OperatorCosts {
    /// Every class at `cost` (for comparisons: `uniform(1)` with `ret` and `loop_entry` at 0
    /// is wasmtime's default table, the runtime's gas before the measured one).
    pub const fn uniform(cost: u8) -> Self {
        Self {
            integer: cost,
            compare: cost,
            bit_count: cost,
            local: cost,
            global: cost,
            multiply: cost,
            divide: cost,
            float: cost,
            float_div_sqrt: cost,
            float_min_max: cost,
            float_round: cost,
            conversion: cost,
            load: cost,
            store: cost,
            memory_size: cost,
            memory_grow: cost,
            call: cost,
            call_indirect: cost,
            ret: cost,
            branch: cost,
            if_else: cost,
            br_table: cost,
            select: cost,
            loop_entry: cost,
            bulk: cost,
            bulk_per_byte: cost,
        }
    }

    /// wasmtime's default table: 1 per operator, 0 for `nop`, `drop`, `block`, `loop`, `end`,
    /// `return` and `unreachable` (`else` costs 1 here, 0 in wasmtime's).
    pub const fn wasmtime_default() -> Self {
        let mut c = Self::uniform(1);
        c.ret = 0;
        c.loop_entry = 0;
        c
    }

    /// The table measured against the yardstick (see [Operator costs](super#operator-costs)):
    /// each class's cost is its slowest kernel's time at the yardstick's rate.
    pub const fn measured() -> Self {
        Self {
            integer: 2,
            compare: 8,
            bit_count: 10,
            local: 1,
            global: 1,
            multiply: 9,
            divide: 60,
            float: 53,
            float_div_sqrt: 106,
            float_min_max: 55,
            float_round: 75,
            conversion: 59,
            load: 180,
            store: 255,
            memory_size: 1,
            memory_grow: 255,
            call: 120,
            call_indirect: 128,
            ret: 0,
            branch: 8,
            if_else: 1,
            br_table: 12,
            select: 1,
            loop_entry: 30,
            bulk: 61,
            bulk_per_byte: 3,
        }
    }

    /// The table wasmtime's compiler charges from (`Config::operator_cost`). Operators of
    /// features the runtime does not enable (SIMD, GC, reference types, exceptions, threads…)
    /// keep wasmtime's default: modules using them are refused at deploy.
    pub(crate) fn to_wasmtime(&self) -> wasmtime::OperatorCost {
        let mut t = wasmtime::OperatorCost::new();
        set_costs!(t, 0; Nop Drop Block End Unreachable);
        set_costs!(t, self.integer;
            I32Const I64Const
            I32Add I32Sub I32And I32Or I32Xor I32Shl I32ShrS I32ShrU
            I32Rotl I32Rotr
            I64Add I64Sub I64And I64Or I64Xor I64Shl I64ShrS I64ShrU
            I64Rotl I64Rotr
            I32WrapI64 I64ExtendI32S I64ExtendI32U
            I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S);
        set_costs!(t, self.compare;
            I32Eqz I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
            I64Eqz I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU);
        set_costs!(t, self.bit_count; I32Clz I32Ctz I32Popcnt I64Clz I64Ctz I64Popcnt);
        set_costs!(t, self.local; LocalGet LocalSet LocalTee);
        set_costs!(t, self.global; GlobalGet GlobalSet);
        set_costs!(t, self.multiply; I32Mul I64Mul);
        set_costs!(t, self.divide;
            I32DivS I32DivU I32RemS I32RemU I64DivS I64DivU I64RemS I64RemU);
        set_costs!(t, self.float;
            F32Const F64Const
            F32Eq F32Ne F32Lt F32Gt F32Le F32Ge F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
            F32Abs F32Neg F32Add F32Sub F32Mul F32Copysign
            F64Abs F64Neg F64Add F64Sub F64Mul F64Copysign);
        set_costs!(t, self.float_div_sqrt; F32Div F32Sqrt F64Div F64Sqrt);
        set_costs!(t, self.float_min_max; F32Min F32Max F64Min F64Max);
        set_costs!(t, self.float_round;
            F32Ceil F32Floor F32Trunc F32Nearest F64Ceil F64Floor F64Trunc F64Nearest);
        set_costs!(t, self.conversion;
            I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
            I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
            I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
            I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
            F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64
            F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32
            I32ReinterpretF32 I64ReinterpretF64 F32ReinterpretI32 F64ReinterpretI64);
        set_costs!(t, self.load;
            I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U
            I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S I64Load32U);
        set_costs!(t, self.store;
            I32Store I64Store F32Store F64Store I32Store8 I32Store16
            I64Store8 I64Store16 I64Store32);
        set_costs!(t, self.memory_size; MemorySize);
        set_costs!(t, self.memory_grow; MemoryGrow);
        set_costs!(t, self.call; Call);
        set_costs!(t, self.call_indirect; CallIndirect);
        set_costs!(t, self.ret; Return);
        set_costs!(t, self.branch; Br BrIf);
        set_costs!(t, self.if_else; If Else);
        set_costs!(t, self.br_table; BrTable);
        set_costs!(t, self.select; Select);
        set_costs!(t, self.loop_entry; Loop);
        set_costs!(t, self.bulk;
            MemoryCopy MemoryFill MemoryInit DataDrop TableCopy TableInit ElemDrop);
        let per_byte = self.bulk_per_byte;
        t.variable.memory_copy_per_byte = per_byte;
        t.variable.memory_fill_per_byte = per_byte;
        t.variable.memory_init_per_byte = per_byte;
        t.variable.table_copy_per_element = per_byte;
        t.variable.table_init_per_element = per_byte;
        t
    }
}
