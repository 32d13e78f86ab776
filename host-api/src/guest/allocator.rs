//! A bump allocator over `memory.grow`.
//!
//! A contract instance lives for one call, so nothing needs to be reused: allocation is a pointer
//! bump, and freeing only gives back the most recent block (which makes `Vec` growth in place
//! cheap). Growth past the runtime's memory limit stops the call with a `MemoryLimit` outcome.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

const PAGE_BYTES: usize = 65_536;

unsafe extern "C" {
    /// Where the linker puts the first free byte after data and stack.
    static __heap_base: u8;
}

struct BumpAllocator {
    next: Cell<usize>,
}

// SAFETY: contracts are single-threaded (threads are disabled in the engine), so the cell is
// never accessed concurrently.
unsafe impl Sync for BumpAllocator {}

#[global_allocator]
static ALLOCATOR: BumpAllocator = BumpAllocator { next: Cell::new(0) };

impl BumpAllocator {
    fn bump(&self, layout: Layout) -> *mut u8 {
        let mut next = self.next.get();
        if next == 0 {
            next = &raw const __heap_base as usize;
        }
        let Some(start) = next
            .checked_add(layout.align() - 1)
            .map(|n| n & !(layout.align() - 1))
        else {
            return core::ptr::null_mut();
        };
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        let memory_end = wasm32::memory_size(0) * PAGE_BYTES;
        if end > memory_end {
            let pages = (end - memory_end).div_ceil(PAGE_BYTES);
            if wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        self.next.set(end);
        start as *mut u8
    }
}

// SAFETY: `bump` returns blocks aligned to `layout.align()` that never overlap a live block: the
// cursor only moves back over the most recent block when that block is freed or resized.
unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.bump(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if start + layout.size() == self.next.get() {
            // The most recent block: grow or shrink it in place.
            self.next.set(start);
            // SAFETY: same alignment as the block; the size is the caller's.
            let layout2 = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // `start` is already aligned, so the block stays where it is (or allocation fails).
            let p = self.bump(layout2);
            if p.is_null() {
                self.next.set(start + layout.size());
            }
            return p;
        }
        // SAFETY: same alignment as the block; the size is the caller's.
        let layout2 = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let p = self.bump(layout2);
        if !p.is_null() {
            // SAFETY: the new block is fresh and does not overlap the old one.
            unsafe { core::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size)) };
        }
        p
    }
}
