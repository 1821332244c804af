//! Stack high-water: the stack below `main` is painted with a pattern
//! before the producer runs; the deepest word it overwrote is the peak.

use cortex_m::register::msp;

/// How much of the stack below `main`'s frame is painted: far more than the
/// producer uses (the figure shows if it ever comes close).
const PAINTED_BYTES: usize = 48 * 1024;
/// Left alone just below the stack pointer: the frame of `paint` itself.
const GUARD_BYTES: usize = 256;
const PATTERN: u32 = 0x5AA5_C33C;

/// A painted region, `[bottom, top)`.
pub struct Painted {
    bottom: usize,
    top: usize,
}

impl Painted {
    /// Paints the stack below the caller's frame.
    #[inline(never)]
    pub fn paint() -> Painted {
        let top = msp::read() as usize & !3;
        let bottom = top - PAINTED_BYTES;
        let mut word = bottom;
        while word < top - GUARD_BYTES {
            // SAFETY: [bottom, top - GUARD) is RAM below the live stack
            // (memory.x: 512 KiB of RAM, the stack at its top, the heap
            // and statics at its bottom), not used by anything yet.
            unsafe { core::ptr::write_volatile(word as *mut u32, PATTERN) };
            word += 4;
        }
        Painted { bottom, top }
    }

    /// Bytes of the painted region used so far (from `main`'s frame down).
    pub fn high_water(&self) -> usize {
        let mut word = self.bottom;
        // SAFETY: reads of the region `paint` wrote, word-aligned.
        while word < self.top && unsafe { core::ptr::read_volatile(word as *const u32) } == PATTERN
        {
            word += 4;
        }
        self.top - word
    }
}
