//! A memory cap for the isolated workers that holds on every system.
//!
//! Workers are limited by the operating system (an address-space limit on
//! Unix, a Job Object's memory limit on Windows, see [`crate::isolate`]); but
//! under Wine and under qemu-user neither limit is enforced. So a worker also
//! counts the bytes its allocator hands out: past the cap an allocation
//! fails, Rust reports `memory allocation of N bytes failed` and the process
//! ends, as it would at the system's limit, and the file costs only that
//! worker. The main process sets no cap: counting costs it one relaxed load
//! per allocation.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

static CAP: AtomicUsize = AtomicUsize::new(0);
/// Bytes held, counted from when the cap was set (memory held before and
/// freed after makes it go below zero, which is why it is signed).
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// Cap the bytes this process may hold at once (0: no cap).
pub fn set_cap(bytes: u64) {
    let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
    CAP.store(bytes, Ordering::Relaxed);
}

/// An allocator that refuses to hold more than the cap ([`set_cap`]).
pub struct Capped<A>(pub A);

/// Count `size` more bytes; `false` (nothing counted) when that passes the cap.
fn take(size: usize) -> bool {
    let cap = CAP.load(Ordering::Relaxed);
    if cap == 0 {
        return true;
    }
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    let now = LIVE.fetch_add(size, Ordering::Relaxed).saturating_add(size);
    if now > isize::try_from(cap).unwrap_or(isize::MAX) {
        LIVE.fetch_sub(size, Ordering::Relaxed);
        return false;
    }
    true
}

fn give(size: usize) {
    if CAP.load(Ordering::Relaxed) != 0 {
        LIVE.fetch_sub(isize::try_from(size).unwrap_or(isize::MAX), Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to the inner allocator unchanged, or
// refused with a null pointer (allowed by GlobalAlloc) before reaching it.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Capped<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { self.0.alloc(layout) };
        if p.is_null() {
            give(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if p.is_null() {
            give(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { self.0.dealloc(ptr, layout) };
        give(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !take(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                give(new_size - old);
            }
        } else if new_size < old {
            give(old - new_size);
        }
        p
    }
}
