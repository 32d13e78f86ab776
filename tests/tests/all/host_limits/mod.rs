//! Host-function behaviour, driven by hand-written WAT contracts: storage, return data, events,
//! arguments, block information, hashing, debug prints, memory growth, gas metering (with golden
//! values), statuses, panics, and every ABI size limit at the limit and one past.

mod commit_gas;
mod findings;
mod gas;
mod memory_and_pointers;
mod return_events_arguments;
mod statuses_and_environment;
mod storage;

use host_api::abi::HOST_FUNCTIONS;
use host_api::limits::{
    MAX_ARGUMENT_BYTES, MAX_DEBUG_MESSAGE_BYTES, MAX_EVENT_DATA_BYTES, MAX_EVENTS_PER_CALL,
    MAX_KEY_BYTES, MAX_PANIC_MESSAGE_BYTES, MAX_RETURN_BYTES, MAX_TOPIC_BYTES, MAX_VALUE_BYTES,
    WASM_PAGE_BYTES,
};
use host_api::{Address, ContractId};
use integration_tests::*;
use runtime::config::DEFAULT_MAX_MEMORY_PAGES;
use runtime::{
    BlockInfo, CallError, Event, LimitKind, MemoryStore, PriceTable, Receipt, Runtime,
    RuntimeConfig, Session, TrapKind,
};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// The harness contract
// ---------------------------------------------------------------------------------------------

/// Every host function, imported with its ABI signature.
const IMPORTS: &str = r#"
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "output_write" (func $output_write (param i32 i32)))
  (import "host_v1" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "host_v1" "storage_remove" (func $storage_remove (param i32 i32) (result i32)))
  (import "host_v1" "caller" (func $caller (param i32)))
  (import "host_v1" "self_id" (func $self_id (param i32)))
  (import "host_v1" "block_height" (func $block_height (result i64)))
  (import "host_v1" "block_timestamp" (func $block_timestamp (result i64)))
  (import "host_v1" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "host_v1" "blake2b_256" (func $blake2b_256 (param i32 i32 i32)))
  (import "host_v1" "abort" (func $abort (param i32 i32)))
  (import "host_v1" "debug_print" (func $debug_print (param i32 i32)))
  (import "host_v1" "gas_left" (func $gas_left (result i64)))
"#;

/// Memory is 4 pages (0x40000 bytes):
/// - `0x00000` the argument (up to 64 KiB), read with `input_read(0)`; numeric arguments are
///   little-endian u32 words, read with `$arg i`;
/// - `0x10000` the key area (zeros) of the `*_sized` entries;
/// - `0x20000` the value area (zeros, 64 KiB + 1 fits) of the `*_sized` entries;
/// - `0x38000` 80 × `a` (event topics); `0x38200` `t` `d` `message`; `0x38210` `key` `hello`;
/// - `0x39000` scratch for outputs.
const HARNESS_BODY: &str = r#"
  (memory (export "memory") 4)
  (data (i32.const 0x38000) "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
  (data (i32.const 0x38200) "tdmessage")
  (data (i32.const 0x38210) "keyhello")

  (func $arg (param $i i32) (result i32) (i32.load (i32.mul (local.get $i) (i32.const 4))))
  (func $ret_i32 (param $v i32)
    (i32.store (i32.const 0x39f00) (local.get $v))
    (call $output_write (i32.const 0x39f00) (i32.const 4)))

  ;; set: argument = key_len (u32) ‖ key ‖ value
  (func (export "set") (param $n i32) (result i32) (local $k i32)
    (call $input_read (i32.const 0))
    (local.set $k (call $arg (i32.const 0)))
    (call $storage_write (i32.const 4) (local.get $k)
      (i32.add (i32.const 4) (local.get $k))
      (i32.sub (i32.sub (local.get $n) (i32.const 4)) (local.get $k)))
    (i32.const 0))

  ;; get: argument = cap (u32) ‖ key; output = storage_read's result (i32) ‖ the bytes copied
  (func (export "get") (param $n i32) (result i32) (local $r i32) (local $cap i32)
    (call $input_read (i32.const 0))
    (local.set $cap (call $arg (i32.const 0)))
    (local.set $r (call $storage_read (i32.const 4) (i32.sub (local.get $n) (i32.const 4))
      (i32.const 0x20004) (local.get $cap)))
    (i32.store (i32.const 0x20000) (local.get $r))
    (call $output_write (i32.const 0x20000)
      (i32.add (i32.const 4)
        (select (i32.const 0)
          (select (local.get $r) (local.get $cap) (i32.lt_u (local.get $r) (local.get $cap)))
          (i32.lt_s (local.get $r) (i32.const 0)))))
    (i32.const 0))

  ;; del: argument = key; output = storage_remove's result (i32)
  (func (export "del") (param $n i32) (result i32)
    (call $input_read (i32.const 0))
    (call $ret_i32 (call $storage_remove (i32.const 0) (local.get $n)))
    (i32.const 0))

  ;; within: write key=hello, read, remove, read, remove; output the five results
  (func (export "within") (param i32) (result i32)
    (call $storage_write (i32.const 0x38210) (i32.const 3) (i32.const 0x38213) (i32.const 5))
    (i32.store (i32.const 0x39000)
      (call $storage_read (i32.const 0x38210) (i32.const 3) (i32.const 0x39004) (i32.const 5)))
    (i32.store (i32.const 0x39009) (call $storage_remove (i32.const 0x38210) (i32.const 3)))
    (i32.store (i32.const 0x3900d)
      (call $storage_read (i32.const 0x38210) (i32.const 3) (i32.const 0x39004) (i32.const 5)))
    (i32.store (i32.const 0x39011) (call $storage_remove (i32.const 0x38210) (i32.const 3)))
    (call $output_write (i32.const 0x39000) (i32.const 21))
    (i32.const 0))

  ;; write_sized: argument = key_len, value_len (u32 each); zero key, zero value
  (func (export "write_sized") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (call $storage_write (i32.const 0x10000) (call $arg (i32.const 0))
      (i32.const 0x20000) (call $arg (i32.const 1)))
    (i32.const 0))
  ;; read_sized: argument = key_len; output = storage_read's result
  (func (export "read_sized") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (call $ret_i32 (call $storage_read (i32.const 0x10000) (call $arg (i32.const 0))
      (i32.const 0x20000) (i32.const 0)))
    (i32.const 0))
  ;; remove_sized: argument = key_len; output = storage_remove's result
  (func (export "remove_sized") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (call $ret_i32 (call $storage_remove (i32.const 0x10000) (call $arg (i32.const 0))))
    (i32.const 0))
  ;; output_sized: argument = len; output = len zero bytes
  (func (export "output_sized") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (call $output_write (i32.const 0x20000) (call $arg (i32.const 0)))
    (i32.const 0))
  ;; emit_sized: argument = topic_len, data_len, count: emits `count` events (topic of `a`s,
  ;; zero data)
  (func (export "emit_sized") (param i32) (result i32) (local $i i32)
    (call $input_read (i32.const 0))
    (local.set $i (call $arg (i32.const 2)))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $i)))
        (call $emit (i32.const 0x38000) (call $arg (i32.const 0))
          (i32.const 0x20000) (call $arg (i32.const 1)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $again)))
    (i32.const 0))
  ;; emit_input: an event whose topic is the argument, with no data
  (func (export "emit_input") (param $n i32) (result i32)
    (call $input_read (i32.const 0))
    (call $emit (i32.const 0) (local.get $n) (i32.const 0) (i32.const 0))
    (i32.const 0))

  ;; finish: argument = status; writes key=hello, emits (t, d), outputs `message`, returns status
  (func (export "finish") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (call $storage_write (i32.const 0x38210) (i32.const 3) (i32.const 0x38213) (i32.const 5))
    (call $emit (i32.const 0x38200) (i32.const 1) (i32.const 0x38201) (i32.const 1))
    (call $output_write (i32.const 0x38202) (i32.const 7))
    (call $arg (i32.const 0)))
  ;; abort_input: writes key=hello, emits (t, d), then aborts with the argument as the message
  (func (export "abort_input") (param $n i32) (result i32)
    (call $input_read (i32.const 0))
    (call $storage_write (i32.const 0x38210) (i32.const 3) (i32.const 0x38213) (i32.const 5))
    (call $emit (i32.const 0x38200) (i32.const 1) (i32.const 0x38201) (i32.const 1))
    (call $abort (i32.const 0) (local.get $n))
    (i32.const 0))
  ;; debug_input: debug-prints the argument twice
  (func (export "debug_input") (param $n i32) (result i32)
    (call $input_read (i32.const 0))
    (call $debug_print (i32.const 0) (local.get $n))
    (call $debug_print (i32.const 0) (local.get $n))
    (i32.const 0))

  ;; grow: argument = a, b: memory.grow(a), then output memory.grow(b)
  (func (export "grow") (param i32) (result i32)
    (call $input_read (i32.const 0))
    (drop (memory.grow (call $arg (i32.const 0))))
    (call $ret_i32 (memory.grow (call $arg (i32.const 1))))
    (i32.const 0))
  ;; spin: loops forever
  (func (export "spin") (param i32) (result i32)
    (loop $forever (br $forever))
    (i32.const 0))

  ;; arg: echoes the argument
  (func (export "arg") (param $n i32) (result i32)
    (call $input_read (i32.const 0))
    (call $output_write (i32.const 0) (local.get $n))
    (i32.const 0))
  ;; arg_len: outputs the entry point's parameter
  (func (export "arg_len") (param $n i32) (result i32)
    (call $ret_i32 (local.get $n))
    (i32.const 0))
  ;; env: caller ‖ self_id ‖ block_height (i64) ‖ block_timestamp (i64)
  (func (export "env") (param i32) (result i32)
    (call $caller (i32.const 0x39000))
    (call $self_id (i32.const 0x39020))
    (i64.store (i32.const 0x39040) (call $block_height))
    (i64.store (i32.const 0x39048) (call $block_timestamp))
    (call $output_write (i32.const 0x39000) (i32.const 80))
    (i32.const 0))
  ;; gas2: gas_left twice (i64 each)
  (func (export "gas2") (param i32) (result i32)
    (i64.store (i32.const 0x39000) (call $gas_left))
    (i64.store (i32.const 0x39008) (call $gas_left))
    (call $output_write (i32.const 0x39000) (i32.const 16))
    (i32.const 0))
  ;; hash: blake2b_256 of the argument
  (func (export "hash") (param $n i32) (result i32)
    (call $input_read (i32.const 0))
    (call $blake2b_256 (i32.const 0) (local.get $n) (i32.const 0x39000))
    (call $output_write (i32.const 0x39000) (i32.const 32))
    (i32.const 0))

  ;; Pointers just inside and just outside memory (0x40000 bytes).
  (func (export "caller_at_end") (param i32) (result i32)
    (call $caller (i32.const 0x3ffe0)) (i32.const 0))
  (func (export "empty_output_at_end") (param i32) (result i32)
    (call $output_write (i32.const 0x40000) (i32.const 0)) (i32.const 0))
  (func (export "empty_output_past_end") (param i32) (result i32)
    (call $output_write (i32.const 0x40001) (i32.const 0)) (i32.const 0))

  ;; Out-of-bounds pointers: 0x3ffff with 2+ bytes straddles the end of memory. Each first
  ;; writes key=hello so the test can check the write is rolled back.
  (func $touch
    (call $storage_write (i32.const 0x38210) (i32.const 3) (i32.const 0x38213) (i32.const 5)))
  (func (export "oob_input_read") (param i32) (result i32)
    (call $touch) (call $input_read (i32.const 0x3ffff)) (i32.const 0))
  (func (export "oob_output_write") (param i32) (result i32)
    (call $touch) (call $output_write (i32.const 0x3ffff) (i32.const 2)) (i32.const 0))
  (func (export "oob_output_write_negative") (param i32) (result i32)
    (call $touch) (call $output_write (i32.const -1) (i32.const 1)) (i32.const 0))
  (func (export "oob_storage_read_key") (param i32) (result i32)
    (call $touch)
    (drop (call $storage_read (i32.const 0x3ffff) (i32.const 2) (i32.const 0) (i32.const 0)))
    (i32.const 0))
  (func (export "oob_storage_read_dst") (param i32) (result i32)
    (call $touch)
    (drop (call $storage_read (i32.const 0x38210) (i32.const 3) (i32.const 0x3ffff) (i32.const 5)))
    (i32.const 0))
  (func (export "oob_storage_write_key") (param i32) (result i32)
    (call $touch)
    (call $storage_write (i32.const 0x3ffff) (i32.const 2) (i32.const 0) (i32.const 1))
    (i32.const 0))
  (func (export "oob_storage_write_value") (param i32) (result i32)
    (call $touch)
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0x3ffff) (i32.const 2))
    (i32.const 0))
  (func (export "oob_storage_remove") (param i32) (result i32)
    (call $touch) (drop (call $storage_remove (i32.const 0x3ffff) (i32.const 2))) (i32.const 0))
  (func (export "oob_caller") (param i32) (result i32)
    (call $touch) (call $caller (i32.const 0x3ffe1)) (i32.const 0))
  (func (export "oob_self_id") (param i32) (result i32)
    (call $touch) (call $self_id (i32.const 0x3ffe1)) (i32.const 0))
  (func (export "oob_emit_topic") (param i32) (result i32)
    (call $touch)
    (call $emit (i32.const 0x3ffff) (i32.const 2) (i32.const 0) (i32.const 0))
    (i32.const 0))
  (func (export "oob_emit_data") (param i32) (result i32)
    (call $touch)
    (call $emit (i32.const 0x38000) (i32.const 1) (i32.const 0x3ffff) (i32.const 2))
    (i32.const 0))
  (func (export "oob_blake2b_256_src") (param i32) (result i32)
    (call $touch)
    (call $blake2b_256 (i32.const 0x3ffff) (i32.const 2) (i32.const 0))
    (i32.const 0))
  (func (export "oob_blake2b_256_dst") (param i32) (result i32)
    (call $touch)
    (call $blake2b_256 (i32.const 0) (i32.const 2) (i32.const 0x3ffe1))
    (i32.const 0))
  (func (export "oob_abort") (param i32) (result i32)
    (call $touch) (call $abort (i32.const 0x3ffff) (i32.const 2)) (i32.const 0))
  (func (export "oob_debug_print") (param i32) (result i32)
    (call $touch) (call $debug_print (i32.const 0x3ffff) (i32.const 2)) (i32.const 0))
"#;

fn harness_code() -> Vec<u8> {
    wat(&format!("(module {IMPORTS} {HARNESS_BODY})"))
}

/// A fresh store, a session over it (block height 7, timestamp 1000) and the harness deployed.
fn harness() -> (Arc<MemoryStore>, Session, ContractId) {
    let (store, mut session) = session();
    let id = deploy(&mut session, &harness_code());
    (store, session, id)
}

/// [`harness`] on the runtime charging wasmtime's unit operator costs
/// (`integration_tests::unit_cost_runtime`), for exact gas arithmetic written in them.
fn unit_cost_harness() -> (Arc<MemoryStore>, Session, ContractId) {
    let (store, mut session) = integration_tests::unit_cost_session();
    let id = deploy(&mut session, &harness_code());
    (store, session, id)
}

/// Little-endian u32 words, the harness's numeric argument encoding.
fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn i32_output(receipt: &Receipt) -> i32 {
    let out = receipt
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("call failed: {e:?}"));
    i32::from_le_bytes(out.as_slice().try_into().expect("4 bytes"))
}

fn limit(kind: LimitKind, size: usize, max: usize) -> Result<Vec<u8>, CallError> {
    Err(CallError::LimitExceeded {
        kind,
        size: size as u64,
        max: max as u64,
    })
}

/// `set` argument: key_len ‖ key ‖ value.
fn set_arg(key: &[u8], value: &[u8]) -> Vec<u8> {
    let mut arg = words(&[key.len() as u32]);
    arg.extend_from_slice(key);
    arg.extend_from_slice(value);
    arg
}

/// `get` argument: cap ‖ key.
fn get_arg(cap: u32, key: &[u8]) -> Vec<u8> {
    let mut arg = words(&[cap]);
    arg.extend_from_slice(key);
    arg
}

/// `get` output of a present value.
fn found(len: usize, copied: &[u8]) -> Vec<u8> {
    let mut out = (len as i32).to_le_bytes().to_vec();
    out.extend_from_slice(copied);
    out
}

/// `get` output of an absent value.
fn absent() -> Vec<u8> {
    (-1i32).to_le_bytes().to_vec()
}

fn runtime_with(config: RuntimeConfig) -> Runtime {
    Runtime::new(RuntimeConfig {
        pooled_instances: 8,
        ..config
    })
    .expect("runtime")
}
