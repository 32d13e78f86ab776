//! Metered compute: the same kernels (`contracts/compute/src/kernels.rs`) run natively, inside
//! our runtime (fuel on, a fresh Store per call), on bare wasmtime without fuel, and on the
//! wasmi interpreter with fuel — one criterion group per kernel, all four in the same run.
//!
//! Run: `cargo bench -p benches --bench compute`

use criterion::{Criterion, criterion_group, criterion_main};
use host_api::Address;
use runtime::{BlockInfo, MemoryStore, Runtime, RuntimeConfig};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

#[path = "../../contracts/compute/src/kernels.rs"]
#[allow(dead_code, missing_docs)]
mod kernels;

const COMPUTE: &[u8] = include_bytes!("../../contracts/wasm/compute.wasm");
const GAS: u64 = 10_000_000_000;

/// The compute contract on bare wasmtime: a minimal host (`input_read` copies the argument,
/// `output_write` and `abort` do nothing) and no fuel.
struct Wasmtime {
    engine: wasmtime::Engine,
    pre: wasmtime::InstancePre<Vec<u8>>,
}

impl Wasmtime {
    fn new() -> Self {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(false);
        let engine = wasmtime::Engine::new(&config).expect("engine");
        let module = wasmtime::Module::new(&engine, COMPUTE).expect("module");
        let mut linker = wasmtime::Linker::<Vec<u8>>::new(&engine);
        let m = host_api::abi::IMPORT_MODULE;
        linker
            .func_wrap(
                m,
                "input_read",
                |mut c: wasmtime::Caller<'_, Vec<u8>>, ptr: i32| {
                    let Some(wasmtime::Extern::Memory(mem)) = c.get_export("memory") else {
                        return;
                    };
                    let arg = c.data().clone();
                    let at = ptr as u32 as usize;
                    mem.data_mut(&mut c)[at..at + arg.len()].copy_from_slice(&arg);
                },
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "output_write",
                |_: wasmtime::Caller<'_, Vec<u8>>, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "abort",
                |_: wasmtime::Caller<'_, Vec<u8>>, _: i32, _: i32| {},
            )
            .expect("link");
        let pre = linker.instantiate_pre(&module).expect("instantiate_pre");
        Self { engine, pre }
    }

    fn call(&self, function: &str, arg: &[u8]) -> i32 {
        let mut store = wasmtime::Store::new(&self.engine, arg.to_vec());
        let instance = self.pre.instantiate(&mut store).expect("instantiate");
        let f = instance
            .get_typed_func::<i32, i32>(&mut store, function)
            .expect("export");
        f.call(&mut store, arg.len() as i32).expect("call")
    }
}

/// The compute contract on wasmi with fuel metering, the same minimal host.
struct Wasmi {
    engine: wasmi::Engine,
    module: wasmi::Module,
    linker: wasmi::Linker<Vec<u8>>,
}

impl Wasmi {
    fn new() -> Self {
        let mut config = wasmi::Config::default();
        config.consume_fuel(true);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, COMPUTE).expect("module");
        let mut linker = wasmi::Linker::<Vec<u8>>::new(&engine);
        let m = host_api::abi::IMPORT_MODULE;
        linker
            .func_wrap(
                m,
                "input_read",
                |mut c: wasmi::Caller<'_, Vec<u8>>, ptr: i32| {
                    let Some(wasmi::Extern::Memory(mem)) = c.get_export("memory") else {
                        return;
                    };
                    let arg = c.data().clone();
                    let at = ptr as u32 as usize;
                    mem.data_mut(&mut c)[at..at + arg.len()].copy_from_slice(&arg);
                },
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "output_write",
                |_: wasmi::Caller<'_, Vec<u8>>, _: i32, _: i32| {},
            )
            .expect("link");
        linker
            .func_wrap(
                m,
                "abort",
                |_: wasmi::Caller<'_, Vec<u8>>, _: i32, _: i32| {},
            )
            .expect("link");
        Self {
            engine,
            module,
            linker,
        }
    }

    fn call(&self, function: &str, arg: &[u8]) -> i32 {
        let mut store = wasmi::Store::new(&self.engine, arg.to_vec());
        store.set_fuel(GAS).expect("fuel");
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .expect("instantiate");
        let f = instance
            .get_typed_func::<i32, i32>(&store, function)
            .expect("export");
        f.call(&mut store, arg.len() as i32).expect("call")
    }
}

/// One kernel: its entry point, its borsh argument, and the native call.
struct Kernel {
    name: &'static str,
    arg: Vec<u8>,
    native: fn() -> u64,
}

fn kernels() -> Vec<Kernel> {
    let enc = |v: &dyn Fn() -> Vec<u8>| v();
    vec![
        Kernel {
            name: "fib_iter",
            arg: enc(&|| borsh::to_vec(&1_000_000u64).expect("encode")),
            native: || kernels::fib_iter(black_box(1_000_000)),
        },
        Kernel {
            name: "fib_rec",
            arg: enc(&|| borsh::to_vec(&25u32).expect("encode")),
            native: || kernels::fib_rec(black_box(25)),
        },
        Kernel {
            name: "blake2b",
            arg: enc(&|| borsh::to_vec(&64u32).expect("encode")),
            native: || u64::from(kernels::blake2b_rounds(black_box(64))[0]),
        },
        Kernel {
            name: "transfers",
            arg: enc(&|| borsh::to_vec(&100_000u32).expect("encode")),
            native: || u64::from(kernels::transfers(black_box(100_000))),
        },
    ]
}

fn compute(c: &mut Criterion) {
    // The kernel is the real BLAKE2b: check it against the blake2b_simd crate.
    let data = [7u8; 1000];
    assert_eq!(
        kernels::blake2b_256(&data),
        *blake2b_simd::Params::new()
            .hash_length(32)
            .hash(&data)
            .as_array()
            .first_chunk::<32>()
            .expect("32 bytes"),
        "kernel BLAKE2b matches blake2b_simd"
    );

    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let mut session = runtime.session(store, BlockInfo::default());
    let owner = Address([1; 32]);
    let id = session.deploy(owner, COMPUTE, 0).expect("deploy");
    let bare = Wasmtime::new();
    let wasmi = Wasmi::new();

    for k in kernels() {
        let r = session.call(owner, id, k.name, &k.arg, GAS).expect("call");
        assert!(r.is_success(), "{}: {:?}", k.name, r.result);
        eprintln!(
            "compute: {} costs {} gas in our runtime",
            k.name, r.gas_spent
        );
        assert_eq!(bare.call(k.name, &k.arg), 0);
        assert_eq!(wasmi.call(k.name, &k.arg), 0);

        let mut group = c.benchmark_group(format!("compute_{}", k.name));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(4));
        group.bench_function("native", |b| b.iter(k.native));
        group.bench_function("runtime_metered", |b| {
            b.iter(|| {
                session
                    .call(owner, id, k.name, black_box(&k.arg), GAS)
                    .expect("call")
            })
        });
        group.bench_function("wasmtime_no_fuel", |b| {
            b.iter(|| bare.call(k.name, black_box(&k.arg)))
        });
        group.bench_function("wasmi_fuel", |b| {
            b.iter(|| wasmi.call(k.name, black_box(&k.arg)))
        });
        group.finish();
    }
}

criterion_group!(benches, compute);
criterion_main!(benches);
