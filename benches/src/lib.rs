//! Shared setup of the benchmarks: the bundled contracts and a bare-wasmtime baseline that runs
//! the same module with no host layer.

use wasmtime::{Caller, Engine, InstancePre, Linker, Module, Store};

/// `contracts/counter`, as committed.
pub const COUNTER: &[u8] = include_bytes!("../../contracts/wasm/counter.wasm");

/// The counter module instantiated on bare wasmtime: same engine, same module, every host
/// import a stub that does no work (`storage_read` finds nothing, writes and events vanish).
/// What our runtime costs beyond this is the overhead we own.
pub struct BareWasmtime {
    engine: Engine,
    pre: InstancePre<()>,
}

impl BareWasmtime {
    /// Compile `code` on `engine` and link stub imports.
    ///
    /// # Panics
    /// If the module does not compile (the bundled ones do).
    pub fn new(engine: &Engine, code: &[u8]) -> Self {
        let module = Module::new(engine, code).expect("module compiles");
        let mut linker: Linker<()> = Linker::new(engine);
        let m = host_api::abi::IMPORT_MODULE;
        linker
            .func_wrap(m, "input_read", |_: Caller<'_, ()>, _: i32| {})
            .expect("link");
        linker
            .func_wrap(m, "output_write", |_: Caller<'_, ()>, _: i32, _: i32| {})
            .expect("link");
        linker
            .func_wrap(
                m,
                "storage_read",
                |_: Caller<'_, ()>, _: i32, _: i32, _: i32, _: i32| -1i32,
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "storage_write",
                |_: Caller<'_, ()>, _: i32, _: i32, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "emit",
                |_: Caller<'_, ()>, _: i32, _: i32, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .define_unknown_imports_as_traps(&module)
            .expect("link");
        let pre = linker.instantiate_pre(&module).expect("instantiate_pre");
        Self {
            engine: engine.clone(),
            pre,
        }
    }

    /// Fresh Store, instantiate, call `function` with `arg_len`, drop: the engine's floor.
    ///
    /// # Panics
    /// If the call traps.
    pub fn call(&self, function: &str, arg_len: i32) -> i32 {
        let mut store = Store::new(&self.engine, ());
        store.set_fuel(10_000_000).expect("fuel");
        let instance = self.pre.instantiate(&mut store).expect("instantiate");
        let f = instance
            .get_typed_func::<i32, i32>(&mut store, function)
            .expect("export");
        f.call(&mut store, arg_len).expect("call")
    }
}

/// The counter module on the wasmi interpreter with fuel on: the same stub imports as
/// [`BareWasmtime`], a fresh Store and instance per call.
pub struct Wasmi {
    engine: wasmi::Engine,
    module: wasmi::Module,
    linker: wasmi::Linker<()>,
}

impl Wasmi {
    /// Compile `code` for wasmi and link stub imports.
    ///
    /// # Panics
    /// If the module does not compile (the bundled ones do).
    pub fn new(code: &[u8]) -> Self {
        let mut config = wasmi::Config::default();
        config.consume_fuel(true);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, code).expect("module compiles");
        let mut linker = wasmi::Linker::<()>::new(&engine);
        let m = host_api::abi::IMPORT_MODULE;
        linker
            .func_wrap(m, "input_read", |_: wasmi::Caller<'_, ()>, _: i32| {})
            .expect("link");
        linker
            .func_wrap(
                m,
                "output_write",
                |_: wasmi::Caller<'_, ()>, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "storage_read",
                |_: wasmi::Caller<'_, ()>, _: i32, _: i32, _: i32, _: i32| -1i32,
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "storage_write",
                |_: wasmi::Caller<'_, ()>, _: i32, _: i32, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "emit",
                |_: wasmi::Caller<'_, ()>, _: i32, _: i32, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .func_wrap(m, "abort", |_: wasmi::Caller<'_, ()>, _: i32, _: i32| {})
            .expect("link");
        linker
            .func_wrap(
                m,
                "storage_remove",
                |_: wasmi::Caller<'_, ()>, _: i32, _: i32| 0i32,
            )
            .expect("link");
        Self {
            engine,
            module,
            linker,
        }
    }

    /// Fresh Store, instantiate, call `function` with `arg_len`, drop.
    ///
    /// # Panics
    /// If the call traps.
    pub fn call(&self, function: &str, arg_len: i32) -> i32 {
        let mut store = wasmi::Store::new(&self.engine, ());
        store.set_fuel(10_000_000).expect("fuel");
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .expect("instantiate");
        let f = instance
            .get_typed_func::<i32, i32>(&store, function)
            .expect("export");
        f.call(&mut store, arg_len).expect("call")
    }
}
