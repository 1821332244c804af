//! The in-memory replay cache at a server's rate: 2 000 000 tokens at a
//! simulated 5 000 tokens/s (400 s of verification time) into a cache
//! sized for 5 000 tokens/s under the default freshness settings, as a
//! verifier would feed it (two identifiers per token, deadlines from the
//! tokens' `iat`). Prints the refusals (there must be none), the time per
//! check, the identifiers held and the memory they take, counted by the
//! global allocator: the cache's heap bytes over the identifiers it holds.
//!
//! Not a test: a figure to read. Run:
//! `cargo bench -p mtattest --bench replay`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mtattest::appraisal::{
    acceptance_window_secs, Freshness, MemoryReplayCache, ReplayCache, ReplayId,
};
use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
use mtattest::UnixTime;

const TOKENS: u64 = 2_000_000;
const RATE: u32 = 5_000;
const START: i64 = 1_790_000_000;

/// The system allocator, counting the bytes live and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every method forwards its arguments unchanged to `System`, which
// upholds the `GlobalAlloc` contract; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded; the caller keeps `alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded; the caller keeps `alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded; `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded; the caller keeps `realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak resident set size of the process, from /proc (Linux), in bytes.
fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    let device = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[0x5a; 48])
        .expect("key")
        .public_key();
    let freshness = Freshness::DEFAULT;
    let window = acceptance_window_secs(&freshness);

    let before = LIVE.load(Ordering::Relaxed);
    let cache = MemoryReplayCache::for_peak_rate(RATE, window);
    let mut checks = Duration::ZERO;
    let mut slowest_second = Duration::ZERO;
    let mut refused = 0u64;
    let mut most_ids = 0usize;
    let mut most_bytes = 0usize;
    let mut bytes_per_id_at_most = 0.0;
    let seconds = TOKENS / u64::from(RATE);
    let mut n = 0u64;
    for second in 0..seconds as i64 {
        let now = START + second;
        // This second's tokens: a 16-byte cti and a 32-byte nonce each;
        // device clocks spread over the allowed skew, so `iat` lies within
        // 60 s either side of `now` and the token (exp = iat + 300) is
        // acceptable until iat + 359.
        let batch: Vec<(Vec<ReplayId>, i64)> = (0..RATE)
            .map(|_| {
                n += 1;
                let cti = n.to_be_bytes().repeat(2);
                let nonce = n.to_le_bytes().repeat(4);
                let iat = now + (n * 7_919 % 121) as i64 - 60;
                let ids = ReplayId::for_token(&device, Some(&cti), Some(&nonce), &[], &RustCrypto);
                (ids, iat + 359)
            })
            .collect();
        let started = Instant::now();
        for (ids, live_until) in &batch {
            if cache
                .check_and_insert(ids, UnixTime(*live_until), UnixTime(now))
                .is_err()
            {
                refused += 1;
            }
        }
        let spent = started.elapsed();
        checks += spent;
        slowest_second = slowest_second.max(spent);
        drop(batch);
        let held = cache.len();
        let bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        if held > most_ids {
            most_ids = held;
            bytes_per_id_at_most = bytes as f64 / held as f64;
        }
        most_bytes = most_bytes.max(bytes);
    }

    // Every token of the last window is still recognised.
    let mut recognised = 0;
    for m in n - 100_000..n {
        let cti = m.to_be_bytes().repeat(2);
        let nonce = m.to_le_bytes().repeat(4);
        let ids = ReplayId::for_token(&device, Some(&cti), Some(&nonce), &[], &RustCrypto);
        let now = START + seconds as i64;
        if cache
            .check_and_insert(&ids, UnixTime(now + 300), UnixTime(now))
            .is_err_and(|e| e.code() == "replay.seen")
        {
            recognised += 1;
        }
    }

    let calls = n as f64;
    println!("replay cache: {TOKENS} tokens at a simulated {RATE}/s ({seconds} s)");
    println!(
        "  cache sized for {RATE}/s, window {window} s: capacity {} identifiers",
        cache.capacity()
    );
    println!("  refused: {refused}");
    println!(
        "  check-and-insert: {:.0} ns per check on average (slowest simulated second: {:.0} ns per check)",
        checks.as_nanos() as f64 / calls,
        slowest_second.as_nanos() as f64 / f64::from(RATE)
    );
    println!(
        "  identifiers held at most: {most_ids} ({:.1} MB of heap then: {bytes_per_id_at_most:.1} bytes per identifier)",
        mb((bytes_per_id_at_most * most_ids as f64) as usize)
    );
    println!(
        "  cache heap at most: {:.1} MB; whole process: heap peak {:.1} MB, peak RSS {}",
        mb(most_bytes),
        mb(PEAK.load(Ordering::Relaxed)),
        peak_rss().map_or("unknown".to_string(), |b| format!("{:.1} MB", mb(b)))
    );
    println!("  of the last 100 000 tokens, {recognised} recognised as replays");
    assert_eq!(refused, 0, "a cache sized for the rate refused tokens");
    assert_eq!(recognised, 100_000);
}
