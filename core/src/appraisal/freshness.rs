//! Freshness: the token answers this relying party's challenge, and its
//! times (`iat`, `exp`, `nbf`) hold at the time the caller passes in.

use subtle::ConstantTimeEq;

use super::error::FreshnessError;
use crate::claims::{ClaimsSet, Nonce};
use crate::time::UnixTime;

/// How old a token may be and how far apart the device's and the
/// verifier's clocks may be.
///
/// A token is accepted at `now` when, with `skew` the clock skew:
/// - `now - iat <= max_age + skew` (else `freshness.stale`);
/// - `iat - now <= skew` (else `freshness.future`);
/// - with `exp`: `now < exp + skew` (else `freshness.expired`);
/// - with `nbf`: `now + skew >= nbf` (else `freshness.not-yet-valid`).
///
/// The comparisons are exact (128-bit), so extreme times are the instants
/// they name: an `exp` of `i64::MAX` never expires, an `nbf` of `i64::MAX` is
/// never reached, an `iat` of `i64::MIN` is stale.
///
/// The last instant at which all four hold is [`Freshness::accept_until`];
/// replay caches keep a token's identifiers until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// Largest accepted age of a token, seconds after its `iat`.
    pub max_age_secs: u32,
    /// Largest accepted difference between the device's and the verifier's
    /// clocks, seconds.
    pub clock_skew_secs: u32,
}

impl Freshness {
    /// Five minutes of age, one minute of skew.
    pub const DEFAULT: Freshness = Freshness {
        max_age_secs: 300,
        clock_skew_secs: 60,
    };

    /// Checks `claims` against the relying party's challenge (if it issued
    /// one) and the time windows at `now`.
    ///
    /// The nonce is compared in constant time. A challenge outside 8..=64
    /// bytes is refused (`freshness.nonce-length`) rather than compared, and
    /// a token without `eat_nonce` when a challenge was issued fails closed
    /// (`freshness.nonce-missing`).
    ///
    /// ```
    /// use mtattest::appraisal::Freshness;
    /// use mtattest::claims::ClaimsSet;
    /// use mtattest::UnixTime;
    ///
    /// let iat = 1_790_000_000;
    /// let claims = ClaimsSet::builder(iat).nonce(b"challenge-42".to_vec()).unwrap().build();
    /// let f = Freshness::DEFAULT;
    /// assert!(f.check(&claims, Some(b"challenge-42"), UnixTime(iat + 10)).is_ok());
    /// let err = f.check(&claims, Some(b"challenge-43"), UnixTime(iat + 10)).unwrap_err();
    /// assert_eq!(err.code(), "freshness.nonce-mismatch");
    /// let err = f.check(&claims, None, UnixTime(iat + 3600)).unwrap_err();
    /// assert_eq!(err.code(), "freshness.stale");
    /// ```
    pub fn check(
        &self,
        claims: &ClaimsSet,
        expected_nonce: Option<&[u8]>,
        now: UnixTime,
    ) -> Result<(), FreshnessError> {
        if let Some(expected) = expected_nonce {
            check_nonce(claims.nonce.as_ref(), expected)?;
        }
        let now_s = i128::from(now.secs());
        let iat = i128::from(claims.iat);
        let skew = i128::from(self.clock_skew_secs);
        if iat - now_s > skew {
            return Err(FreshnessError::Future {
                iat: claims.iat,
                now: now.secs(),
                skew: self.clock_skew_secs,
            });
        }
        if now_s - iat > i128::from(self.max_age_secs) + skew {
            return Err(FreshnessError::Stale {
                iat: claims.iat,
                now: now.secs(),
                max_age: self.max_age_secs,
                skew: self.clock_skew_secs,
            });
        }
        if let Some(exp) = claims.exp {
            if now_s >= i128::from(exp) + skew {
                return Err(FreshnessError::Expired {
                    exp,
                    now: now.secs(),
                });
            }
        }
        if let Some(nbf) = claims.nbf {
            if now_s + skew < i128::from(nbf) {
                return Err(FreshnessError::NotYetValid {
                    nbf,
                    now: now.secs(),
                });
            }
        }
        Ok(())
    }

    /// The last instant at which `claims` passes the time checks: the
    /// earlier of `iat + max_age + skew` and `exp + skew - 1`, clamped to
    /// the range of [`UnixTime`] (an instant past `i64::MAX` is one no
    /// verification time reaches; spec §11.1).
    pub fn accept_until(&self, claims: &ClaimsSet) -> UnixTime {
        let skew = i128::from(self.clock_skew_secs);
        let by_age = i128::from(claims.iat) + i128::from(self.max_age_secs) + skew;
        let until = match claims.exp {
            Some(exp) => by_age.min(i128::from(exp) + skew - 1),
            None => by_age,
        };
        UnixTime(clamp_i64(until))
    }
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness::DEFAULT
    }
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

fn check_nonce(found: Option<&Nonce>, expected: &[u8]) -> Result<(), FreshnessError> {
    if !(Nonce::MIN_LEN..=Nonce::MAX_LEN).contains(&expected.len()) {
        return Err(FreshnessError::NonceLength {
            len: expected.len(),
        });
    }
    let found = found.ok_or(FreshnessError::NonceMissing)?;
    // Lengths are public (both lie in 8..=64); the bytes are compared in
    // constant time.
    if bool::from(found.as_bytes().ct_eq(expected)) {
        Ok(())
    } else {
        Err(FreshnessError::NonceMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IAT: i64 = 1_790_000_000;

    fn claims() -> ClaimsSet {
        ClaimsSet::builder(IAT)
            .nonce(b"0123456789abcdef".to_vec())
            .unwrap()
            .build()
    }

    fn code(r: Result<(), FreshnessError>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    #[test]
    fn nonce_rules() {
        let f = Freshness::DEFAULT;
        let c = claims();
        let now = UnixTime(IAT);
        assert_eq!(code(f.check(&c, Some(b"0123456789abcdef"), now)), "ok");
        assert_eq!(
            code(f.check(&c, Some(b"0123456789abcdeX"), now)),
            "freshness.nonce-mismatch"
        );
        // A prefix of the right nonce is still a mismatch.
        assert_eq!(
            code(f.check(&c, Some(b"0123456789abcde"), now)),
            "freshness.nonce-mismatch"
        );
        assert_eq!(
            code(f.check(&c, Some(b"short"), now)),
            "freshness.nonce-length"
        );
        assert_eq!(
            code(f.check(&c, Some(&[0u8; 65]), now)),
            "freshness.nonce-length"
        );
        let mut no_nonce = claims();
        no_nonce.nonce = None;
        assert_eq!(
            code(f.check(&no_nonce, Some(b"0123456789abcdef"), now)),
            "freshness.nonce-missing"
        );
        // No challenge issued: nothing to compare.
        assert_eq!(code(f.check(&no_nonce, None, now)), "ok");
    }

    #[test]
    fn iat_window_edges() {
        let f = Freshness {
            max_age_secs: 300,
            clock_skew_secs: 60,
        };
        let c = claims();
        assert_eq!(code(f.check(&c, None, UnixTime(IAT + 360))), "ok");
        assert_eq!(
            code(f.check(&c, None, UnixTime(IAT + 361))),
            "freshness.stale"
        );
        assert_eq!(code(f.check(&c, None, UnixTime(IAT - 60))), "ok");
        assert_eq!(
            code(f.check(&c, None, UnixTime(IAT - 61))),
            "freshness.future"
        );
        // Extreme values neither overflow nor pass.
        let mut old = claims();
        old.iat = i64::MIN;
        assert_eq!(
            code(f.check(&old, None, UnixTime(i64::MAX))),
            "freshness.stale"
        );
        let mut future = claims();
        future.iat = i64::MAX;
        assert_eq!(
            code(f.check(&future, None, UnixTime(i64::MIN))),
            "freshness.future"
        );
    }

    #[test]
    fn exp_and_nbf() {
        let f = Freshness {
            max_age_secs: 3600,
            clock_skew_secs: 10,
        };
        let mut c = claims();
        c.exp = Some(IAT + 100);
        assert_eq!(code(f.check(&c, None, UnixTime(IAT + 109))), "ok");
        assert_eq!(
            code(f.check(&c, None, UnixTime(IAT + 110))),
            "freshness.expired"
        );
        assert_eq!(f.accept_until(&c), UnixTime(IAT + 109));
        let mut n = claims();
        n.nbf = Some(IAT + 50);
        assert_eq!(code(f.check(&n, None, UnixTime(IAT + 40))), "ok");
        assert_eq!(
            code(f.check(&n, None, UnixTime(IAT + 39))),
            "freshness.not-yet-valid"
        );
        assert_eq!(f.accept_until(&n), UnixTime(IAT + 3610));
    }
}
