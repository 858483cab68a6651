//! A global allocator that counts, per thread, so the benchmark can say how
//! many heap allocations a fire makes (and tests running in parallel do not
//! count each other's). It sees Rust's allocations only: a BSTR copy is
//! oleaut32's (`SysAllocString`), outside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

/// Const-initialised and without a destructor: usable from the allocator at
/// any point of a thread's life.
mod per_thread {
    // Debian's clippy 1.96 asks for the `const` block this already has.
    #![allow(clippy::missing_const_for_thread_local)]

    use std::cell::Cell;

    thread_local! {
        pub static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    }
}

use per_thread::ALLOCATIONS;

fn count() {
    ALLOCATIONS.with(|count| count.set(count.get() + 1));
}

// SAFETY: every call is passed to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller's block and layout, as GlobalAlloc::realloc requires.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's block and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and reallocations) this thread made so far.
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// The allocations `f` makes on this thread per call, over `calls` calls.
pub fn per_call(calls: u64, mut f: impl FnMut()) -> f64 {
    let before = allocations();
    for _ in 0..calls {
        f();
    }
    (allocations() - before) as f64 / calls as f64
}
