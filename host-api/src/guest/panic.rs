//! The contract's panic handler: the message becomes the call's `Panic` outcome.
//!
//! The message is formatted into a fixed buffer, never the heap, so a panic caused by an
//! exhausted allocator still reports cleanly. Only the message is kept, not the source location,
//! so outcomes do not depend on where the contract was built.

use super::sys;
use crate::limits::MAX_PANIC_MESSAGE_BYTES;
use core::fmt::Write;

struct FixedBuf {
    bytes: [u8; MAX_PANIC_MESSAGE_BYTES],
    len: usize,
}

impl Write for FixedBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.bytes.len() - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

#[panic_handler]
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut buf = FixedBuf {
        bytes: [0; MAX_PANIC_MESSAGE_BYTES],
        len: 0,
    };
    let _ = write!(buf, "{}", info.message());
    // SAFETY: the host reads `buf.len` initialised bytes; `abort` never returns.
    unsafe { sys::abort(buf.bytes.as_ptr(), buf.len as u32) }
}
