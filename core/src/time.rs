//! Time, always passed in by the caller: the core never reads a clock, so the
//! same code runs in firmware, in WASM and in reproducible tests.

/// Seconds since the Unix epoch (1970-01-01T00:00:00Z), UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The time `seconds` after the epoch.
    pub const fn from_secs(seconds: i64) -> UnixTime {
        UnixTime(seconds)
    }

    /// Seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// The current time from the system clock (std only; the core itself never calls it).
    #[cfg(feature = "std")]
    pub fn now() -> UnixTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        UnixTime(secs)
    }
}
