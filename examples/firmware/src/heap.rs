//! The heap: a fixed arena under `embedded-alloc`, counted so the firmware
//! can report the producer's peak.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// The arena: twice the producer's measured peak with a chain, so a
/// regression shows as a figure rather than an out-of-memory halt.
const HEAP_SIZE: usize = 16 * 1024;

struct CountingHeap {
    heap: LlffHeap,
    in_use: AtomicUsize,
    peak: AtomicUsize,
}

#[global_allocator]
static HEAP: CountingHeap = CountingHeap {
    heap: LlffHeap::empty(),
    in_use: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

// SAFETY: every call is forwarded unchanged to `LlffHeap`, a GlobalAlloc;
// the counters are only arithmetic on the sizes the caller passes.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is LlffHeap's.
        let block = unsafe { self.heap.alloc(layout) };
        if !block.is_null() {
            // One core, no interrupts that allocate: plain loads and stores
            // (no read-modify-write loops) keep the instrumentation small.
            let now = self.in_use.load(Ordering::Relaxed) + layout.size();
            self.in_use.store(now, Ordering::Relaxed);
            if now > self.peak.load(Ordering::Relaxed) {
                self.peak.store(now, Ordering::Relaxed);
            }
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is LlffHeap's.
        unsafe { self.heap.dealloc(block, layout) };
        let now = self.in_use.load(Ordering::Relaxed) - layout.size();
        self.in_use.store(now, Ordering::Relaxed);
    }
}

/// Gives the allocator its arena; called once, first thing in `main`.
pub fn init() {
    static mut ARENA: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once before any allocation; nothing else names ARENA.
    unsafe {
        HEAP.heap
            .init(core::ptr::addr_of_mut!(ARENA) as usize, HEAP_SIZE)
    }
}

/// Starts a new measurement: the peak becomes what is in use now.
pub fn reset_peak() {
    HEAP.peak
        .store(HEAP.in_use.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// The most bytes the program held at once since [`reset_peak`] (requested
/// sizes, without the allocator's own headers).
pub fn peak() -> usize {
    HEAP.peak.load(Ordering::Relaxed)
}
