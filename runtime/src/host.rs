//! The host functions a contract can import, and the per-call data of a Store.
//!
//! Every host function follows the same order: check the ABI's size limits, **charge gas**, then
//! do the work. A pointer/length pair outside the contract's memory stops the call with
//! `Trap(MemoryOutOfBounds)`; nothing here panics on what a contract passes. Storage functions
//! are keyed by the running contract's id, so a contract can reach only its own storage; nothing
//! exposes the clock, randomness, files or the network.

use crate::error::{HostError, StoreError};
use crate::gas::price;
use crate::outcome::{CallError, Event, LimitKind, TraceOp, TrapKind};
use crate::store_data::{HostState, HostTrap};
use host_api::abi::{self, IMPORT_MODULE, STORAGE_ABSENT};
use host_api::limits::{
    MAX_DEBUG_MESSAGE_BYTES, MAX_DEBUG_MESSAGES_PER_CALL, MAX_EVENT_DATA_BYTES,
    MAX_EVENTS_PER_CALL, MAX_KEY_BYTES, MAX_PANIC_MESSAGE_BYTES, MAX_RETURN_BYTES, MAX_TOPIC_BYTES,
    MAX_VALUE_BYTES,
};
use wasmtime::{Caller, Linker, Memory};

mod calls;
mod crypto;

/// Block information the host supplies to contracts (never the wall clock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockInfo {
    /// Block height.
    pub height: u64,
    /// Block timestamp in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

/// At most this many trace steps of one frame are debug prints (as many as a receipt keeps).
const TRACE_DEBUG_OPS_CAP: usize = MAX_DEBUG_MESSAGES_PER_CALL;

type Ctx<'a> = Caller<'a, HostState>;
type HostResult<T> = wasmtime::Result<T>;

fn fail(e: CallError) -> wasmtime::Error {
    wasmtime::Error::new(HostTrap::Contract(e))
}

fn limit(kind: LimitKind, size: usize, max: usize) -> HostResult<()> {
    if size > max {
        return Err(fail(CallError::LimitExceeded {
            kind,
            size: size as u64,
            max: max as u64,
        }));
    }
    Ok(())
}

/// The gas the call has left: its fuel less the overdraft reserve (see `session.rs`).
fn gas_left(caller: &Ctx<'_>) -> HostResult<u64> {
    Ok(caller
        .get_fuel()?
        .saturating_sub(caller.data().fuel_reserve))
}

/// Take `gas` from the call's fuel, or stop it with `OutOfGas` (leaving no fuel).
fn charge(caller: &mut Ctx<'_>, gas: u64) -> HostResult<()> {
    let fuel = caller.get_fuel()?;
    if gas > fuel.saturating_sub(caller.data().fuel_reserve) {
        caller.set_fuel(0)?;
        return Err(fail(CallError::OutOfGas));
    }
    caller.set_fuel(fuel - gas)
}

fn out_of_bounds() -> wasmtime::Error {
    fail(CallError::Trap(TrapKind::MemoryOutOfBounds))
}

fn range(ptr: i32, len: usize) -> HostResult<std::ops::Range<usize>> {
    let start = ptr as u32 as usize;
    let end = start.checked_add(len).ok_or_else(out_of_bounds)?;
    Ok(start..end)
}

fn memory(caller: &Ctx<'_>) -> HostResult<Memory> {
    caller
        .data()
        .memory
        .ok_or_else(|| fail(CallError::AbiViolation("no memory export".into())))
}

/// Copy `len` bytes at `ptr` out of the contract's memory.
fn read_bytes(caller: &Ctx<'_>, ptr: i32, len: usize) -> HostResult<Vec<u8>> {
    let mem = memory(caller)?;
    let r = range(ptr, len)?;
    mem.data(caller)
        .get(r)
        .map(<[u8]>::to_vec)
        .ok_or_else(out_of_bounds)
}

/// Check that all of `ptr..ptr+len` lies in memory, then copy at most its first `max` bytes
/// (messages are truncated, but a range past the end of memory still traps).
fn read_clamped(caller: &Ctx<'_>, ptr: i32, len: i32, max: usize) -> HostResult<Vec<u8>> {
    let mem = memory(caller)?;
    let r = range(ptr, len as u32 as usize)?;
    let data = mem.data(caller);
    if r.end > data.len() {
        return Err(out_of_bounds());
    }
    Ok(data[r.start..r.end.min(r.start + max)].to_vec())
}

/// Copy `bytes` into the contract's memory at `ptr`.
fn write_bytes(caller: &mut Ctx<'_>, ptr: i32, bytes: &[u8]) -> HostResult<()> {
    let mem = memory(caller)?;
    let r = range(ptr, bytes.len())?;
    mem.data_mut(caller)
        .get_mut(r)
        .ok_or_else(out_of_bounds)?
        .copy_from_slice(bytes);
    Ok(())
}

/// A message from the contract, truncated to `max` bytes on a UTF-8 boundary (invalid UTF-8 is
/// replaced, so a message never fails the call).
fn message(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(max)]).into_owned();
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

fn store_failed(e: StoreError) -> wasmtime::Error {
    wasmtime::Error::new(HostTrap::Host(HostError::Store(e)))
}

/// The current value of `key` for the running contract: journal first, then the store.
fn storage_value(state: &HostState, key: &[u8]) -> HostResult<Option<Vec<u8>>> {
    match state.shared.journal.read(&state.contract, key) {
        Some(v) => Ok(v.map(<[u8]>::to_vec)),
        None => state
            .env
            .base
            .storage(&state.contract, key)
            .map_err(store_failed),
    }
}

/// A linker with every host function of [`abi::HOST_FUNCTIONS`], each a named function below
/// (the call and crypto ones in `host/calls.rs` and `host/crypto.rs`).
///
/// # Errors
/// Only if a definition clashes, which the unit tests rule out.
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut l: Linker<HostState> = Linker::new(engine);
    let m = IMPORT_MODULE;
    l.func_wrap(m, abi::INPUT_READ.name, input_read)?;
    l.func_wrap(m, abi::OUTPUT_WRITE.name, output_write)?;
    l.func_wrap(m, abi::STORAGE_READ.name, storage_read)?;
    l.func_wrap(m, abi::STORAGE_WRITE.name, storage_write)?;
    l.func_wrap(m, abi::STORAGE_REMOVE.name, storage_remove)?;
    l.func_wrap(m, abi::CALLER.name, caller)?;
    l.func_wrap(m, abi::SELF_ID.name, self_id)?;
    l.func_wrap(m, abi::BLOCK_HEIGHT.name, block_height)?;
    l.func_wrap(m, abi::BLOCK_TIMESTAMP.name, block_timestamp)?;
    l.func_wrap(m, abi::GAS_LEFT.name, gas_left_import)?;
    l.func_wrap(m, abi::EMIT.name, emit)?;
    l.func_wrap(m, abi::BLAKE2B_256.name, blake2b_256)?;
    l.func_wrap(m, abi::ABORT.name, abort)?;
    l.func_wrap(m, abi::DEBUG_PRINT.name, debug_print)?;
    calls::link(&mut l)?;
    crypto::link(&mut l)?;
    Ok(l)
}

/// `input_read(dst)`: copy the call's input to `dst`.
fn input_read(mut c: Ctx<'_>, dst: i32) -> HostResult<()> {
    let input = std::mem::take(&mut c.data_mut().input);
    let p = &c.data().prices;
    let gas = price(p.host_call_base, p.copy_per_byte, input.len());
    let written = charge(&mut c, gas).and_then(|()| write_bytes(&mut c, dst, &input));
    c.data_mut().input = input;
    written
}

/// `output_write(src, len)`: the call's return data.
fn output_write(mut c: Ctx<'_>, src: i32, len: i32) -> HostResult<()> {
    let len = len as u32 as usize;
    limit(LimitKind::ReturnData, len, MAX_RETURN_BYTES)?;
    let p = &c.data().prices;
    let gas = price(p.host_call_base, p.copy_per_byte, len);
    charge(&mut c, gas)?;
    let bytes = read_bytes(&c, src, len)?;
    c.data_mut().output = bytes;
    Ok(())
}

/// `storage_read(key, key_len, dst, cap) -> len | STORAGE_ABSENT`: the running contract's
/// value of a key, at most `cap` bytes of it copied to `dst`.
fn storage_read(mut c: Ctx<'_>, key: i32, key_len: i32, dst: i32, cap: i32) -> HostResult<i32> {
    let key_len = key_len as u32 as usize;
    limit(LimitKind::KeySize, key_len, MAX_KEY_BYTES)?;
    let p = &c.data().prices;
    let (gas, per_byte) = (
        price(p.storage_read_base, p.storage_read_per_byte, key_len),
        p.storage_read_per_byte,
    );
    charge(&mut c, gas)?;
    let key = read_bytes(&c, key, key_len)?;
    let value = storage_value(c.data(), &key)?;
    if let Some(ops) = &mut c.data_mut().ops {
        let value = value.clone();
        ops.push(TraceOp::Read { key, value });
    }
    let Some(value) = value else {
        return Ok(STORAGE_ABSENT);
    };
    // The whole value was fetched from the store, whatever `cap` copies of it.
    charge(&mut c, per_byte.saturating_mul(value.len() as u64))?;
    let copied = value.len().min(cap as u32 as usize);
    write_bytes(&mut c, dst, &value[..copied])?;
    Ok(value.len() as i32)
}

/// The commit's price for `key` of the running contract: [`PriceTable::storage_commit_per_key`]
/// unless a frame of this call tree already wrote or removed it (its commit is then paid).
///
/// [`PriceTable::storage_commit_per_key`]: crate::PriceTable::storage_commit_per_key
fn commit_key_price(state: &HostState, key: &[u8]) -> u64 {
    if state
        .shared
        .journal
        .dirty_in_call_tree(&state.contract, key)
    {
        0
    } else {
        state.prices.storage_commit_per_key
    }
}

/// `storage_write(key, key_len, val, val_len)`: set a key of the running contract.
fn storage_write(mut c: Ctx<'_>, key: i32, key_len: i32, val: i32, val_len: i32) -> HostResult<()> {
    let (key_len, val_len) = (key_len as u32 as usize, val_len as u32 as usize);
    limit(LimitKind::KeySize, key_len, MAX_KEY_BYTES)?;
    limit(LimitKind::ValueSize, val_len, MAX_VALUE_BYTES)?;
    let p = &c.data().prices;
    // The journal's copy and the commit's bytes, at every write (any write may be the one
    // committed); then, once the key is known, its share of the commit if it is new to the tree.
    let gas = price(
        p.storage_write_base,
        p.storage_write_per_byte
            .saturating_add(p.storage_commit_per_byte),
        key_len + val_len,
    );
    charge(&mut c, gas)?;
    let key = read_bytes(&c, key, key_len)?;
    let commit = commit_key_price(c.data(), &key);
    charge(&mut c, commit)?;
    let value = read_bytes(&c, val, val_len)?;
    let state = c.data_mut();
    if let Some(ops) = &mut state.ops {
        let (key, value) = (key.clone(), value.clone());
        ops.push(TraceOp::Write { key, value });
    }
    state.shared.journal.write(state.contract, key, Some(value));
    Ok(())
}

/// `storage_remove(key, key_len) -> existed`: delete a key of the running contract.
fn storage_remove(mut c: Ctx<'_>, key: i32, key_len: i32) -> HostResult<i32> {
    let key_len = key_len as u32 as usize;
    limit(LimitKind::KeySize, key_len, MAX_KEY_BYTES)?;
    let p = &c.data().prices;
    let (gas, per_byte) = (
        price(
            p.storage_remove_base,
            p.storage_write_per_byte
                .saturating_add(p.storage_commit_per_byte),
            key_len,
        ),
        p.storage_read_per_byte,
    );
    charge(&mut c, gas)?;
    let key = read_bytes(&c, key, key_len)?;
    // A removal dirties the key's merkle path like a write, whether or not the key existed.
    let commit = commit_key_price(c.data(), &key);
    charge(&mut c, commit)?;
    // Whether it existed takes fetching the value: charged like a read of it.
    let found = storage_value(c.data(), &key)?.map(|v| v.len());
    if let Some(len) = found {
        charge(&mut c, per_byte.saturating_mul(len as u64))?;
    }
    let existed = found.is_some();
    let state = c.data_mut();
    if let Some(ops) = &mut state.ops {
        let key = key.clone();
        ops.push(TraceOp::Remove { key, existed });
    }
    state.shared.journal.write(state.contract, key, None);
    Ok(i32::from(existed))
}

/// `caller(dst)`: the 32-byte address that called the running contract.
fn caller(mut c: Ctx<'_>, dst: i32) -> HostResult<()> {
    let p = &c.data().prices;
    let gas = price(p.host_call_base, p.copy_per_byte, 32);
    charge(&mut c, gas)?;
    let caller = c.data().caller;
    write_bytes(&mut c, dst, &caller.0)
}

/// `self_id(dst)`: the running contract's 32-byte id.
fn self_id(mut c: Ctx<'_>, dst: i32) -> HostResult<()> {
    let p = &c.data().prices;
    let gas = price(p.host_call_base, p.copy_per_byte, 32);
    charge(&mut c, gas)?;
    let id = c.data().contract;
    write_bytes(&mut c, dst, &id.0)
}

/// `block_height() -> height`.
fn block_height(mut c: Ctx<'_>) -> HostResult<i64> {
    let base = c.data().prices.host_call_base;
    charge(&mut c, base)?;
    Ok(c.data().env.block.height as i64)
}

/// `block_timestamp() -> milliseconds since the Unix epoch`.
fn block_timestamp(mut c: Ctx<'_>) -> HostResult<i64> {
    let base = c.data().prices.host_call_base;
    charge(&mut c, base)?;
    Ok(c.data().env.block.timestamp_ms as i64)
}

/// `gas_left() -> gas`: what the call has left, after this import's own price.
fn gas_left_import(mut c: Ctx<'_>) -> HostResult<i64> {
    let base = c.data().prices.host_call_base;
    charge(&mut c, base)?;
    Ok(gas_left(&c)? as i64)
}

/// `emit(topic, topic_len, data, data_len)`: an event of the running contract.
fn emit(mut c: Ctx<'_>, topic: i32, topic_len: i32, data: i32, data_len: i32) -> HostResult<()> {
    let (topic_len, data_len) = (topic_len as u32 as usize, data_len as u32 as usize);
    limit(LimitKind::TopicSize, topic_len, MAX_TOPIC_BYTES)?;
    limit(LimitKind::EventDataSize, data_len, MAX_EVENT_DATA_BYTES)?;
    limit(
        LimitKind::EventCount,
        c.data().shared.events.len() + 1,
        MAX_EVENTS_PER_CALL,
    )?;
    let p = &c.data().prices;
    let gas = price(p.emit_base, p.emit_per_byte, topic_len + data_len);
    charge(&mut c, gas)?;
    let topic = String::from_utf8(read_bytes(&c, topic, topic_len)?)
        .map_err(|_| fail(CallError::AbiViolation("event topic is not UTF-8".into())))?;
    let data = read_bytes(&c, data, data_len)?;
    let state = c.data_mut();
    let contract = state.contract;
    state.shared.events.push(Event {
        contract,
        topic,
        data,
        reverted: false,
    });
    if let Some(ops) = &mut state.ops {
        ops.push(TraceOp::Event(state.shared.events.len() - 1));
    }
    Ok(())
}

/// `blake2b_256(src, len, dst)`: the 32-byte BLAKE2b of `len` bytes at `src`, written to `dst`.
fn blake2b_256(mut c: Ctx<'_>, src: i32, len: i32, dst: i32) -> HostResult<()> {
    let len = len as u32 as usize;
    let p = &c.data().prices;
    let gas = price(p.blake2b_base, p.blake2b_per_byte, len);
    charge(&mut c, gas)?;
    let mem = memory(&c)?;
    let r = range(src, len)?;
    let digest = {
        let input = mem.data(&c).get(r).ok_or_else(out_of_bounds)?;
        crate::blake2b_256(&[input])
    };
    write_bytes(&mut c, dst, &digest)
}

/// `abort(msg, len)`: stop the call with `Panic(message)`.
fn abort(mut c: Ctx<'_>, msg: i32, len: i32) -> HostResult<()> {
    let base = c.data().prices.host_call_base;
    charge(&mut c, base)?;
    let text = message(
        &read_clamped(&c, msg, len, MAX_PANIC_MESSAGE_BYTES)?,
        MAX_PANIC_MESSAGE_BYTES,
    );
    Err(fail(CallError::Panic(text)))
}

/// `debug_print(msg, len)`: a debug line, kept in the receipt in dev mode.
fn debug_print(mut c: Ctx<'_>, msg: i32, len: i32) -> HostResult<()> {
    let charged_len = (len as u32 as usize).min(MAX_DEBUG_MESSAGE_BYTES);
    let p = &c.data().prices;
    let gas = price(p.debug_base, p.debug_per_byte, charged_len);
    charge(&mut c, gas)?;
    let text = message(
        &read_clamped(&c, msg, len, MAX_DEBUG_MESSAGE_BYTES)?,
        MAX_DEBUG_MESSAGE_BYTES,
    );
    let state = c.data_mut();
    let kept = state.shared.debug.len() < MAX_DEBUG_MESSAGES_PER_CALL;
    if let Some(ops) = &mut state.ops
        && ops.len() < TRACE_DEBUG_OPS_CAP
    {
        ops.push(TraceOp::Debug(text.clone()));
    }
    if state.env.runtime.config.dev_mode && kept {
        state.shared.debug.push(text);
    }
    Ok(())
}
