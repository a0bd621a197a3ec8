//! Slowing password spraying: one client failing to sign in to many different addresses (a few
//! common passwords tried on many accounts) waits longer and longer between attempts. Only
//! failures count, so people signing in behind one address (a station's NAT, an office) are not
//! slowed by each other's successes, and a few of them mistyping within the window are not slowed
//! at all.

/// Different typed addresses one client may fail on within the window before it is slowed.
pub const FREE_ADDRESSES: i64 = 8;

/// The wait after the first failure past [`FREE_ADDRESSES`]; it doubles with every further
/// address failed on.
pub const FIRST_DELAY_MS: i64 = 1_000;

/// The longest wait between attempts, however many addresses were tried.
pub const MAX_DELAY_MS: i64 = 5 * 60 * 1_000;

/// How long a client that failed on `failed_addresses` different addresses within the window
/// waits after its last failure before it may try again; zero while under [`FREE_ADDRESSES`].
pub fn delay_ms(failed_addresses: i64) -> i64 {
    if failed_addresses < FREE_ADDRESSES {
        return 0;
    }
    // 2^19 s is far past the cap; the exponent is bounded so the shift cannot overflow.
    let doublings = (failed_addresses - FREE_ADDRESSES).min(19);
    (FIRST_DELAY_MS << doublings).min(MAX_DELAY_MS)
}

/// When a client may try again, if it must wait: `now` is before its last failure plus the
/// delay its failures have earned.
pub fn wait_until(failed_addresses: i64, last_failure_at: Option<i64>, now: i64) -> Option<i64> {
    let delay = delay_ms(failed_addresses);
    let until = last_failure_at? + delay;
    (delay > 0 && now < until).then_some(until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_few_mistakes_behind_one_address_are_not_slowed() {
        for n in 0..FREE_ADDRESSES {
            assert_eq!(delay_ms(n), 0);
            assert_eq!(wait_until(n, Some(1_000), 1_000), None);
            // Not even when another server's clock put the last failure a little ahead.
            assert_eq!(wait_until(n, Some(1_000), 900), None);
        }
    }

    #[test]
    fn spraying_fourteen_accounts_waits_more_than_a_minute_before_the_fourteenth() {
        // The probe's spraying: failures on 13 addresses, then the 14th.
        let waited: i64 = (FREE_ADDRESSES..=13).map(delay_ms).sum();
        assert!(waited > 60_000, "{waited}");
        assert_eq!(delay_ms(FREE_ADDRESSES), FIRST_DELAY_MS);
        assert_eq!(delay_ms(FREE_ADDRESSES + 3), 8 * FIRST_DELAY_MS);
    }

    #[test]
    fn the_wait_is_counted_from_the_last_failure() {
        let n = FREE_ADDRESSES + 1;
        assert_eq!(wait_until(n, Some(10_000), 10_500), Some(12_000));
        assert_eq!(wait_until(n, Some(10_000), 12_000), None);
        assert_eq!(wait_until(n, None, 0), None);
    }

    proptest! {
        #[test]
        fn the_delay_grows_with_the_addresses_and_stays_under_the_cap(n in 0i64..10_000) {
            prop_assert!(delay_ms(n) <= delay_ms(n + 1));
            prop_assert!(delay_ms(n) <= MAX_DELAY_MS);
            prop_assert!(delay_ms(n) >= 0);
        }
    }
}
