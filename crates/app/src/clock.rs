//! The one clock. Every use of the current time in the application, the web layer and the CLI is
//! read from the [`Clock`] the [`App`](crate::App) holds, so that a test decides what day it is and
//! no test depends on the day it runs. Reading the wall clock anywhere else is refused by clippy
//! (`disallowed-methods` in `clippy.toml`); this module is the one place allowed to.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

/// Where the time comes from: the machine's clock, or a start set by a test that then runs on with
/// the machine's monotonic clock (so that two steps of a test are never at the same millisecond,
/// as they are not in production). Either can be moved on by [`Clock::advance`].
#[derive(Clone, Debug)]
pub struct Clock {
    source: Source,
    /// Milliseconds added by [`Clock::advance`], shared by every clone.
    offset: Arc<AtomicI64>,
}

#[derive(Clone, Copy, Debug)]
enum Source {
    System,
    From { start_ms: i64, at: Instant },
}

impl Clock {
    /// The machine's clock: what production runs on.
    pub fn system() -> Clock {
        Clock {
            source: Source::System,
            offset: Arc::default(),
        }
    }

    /// A clock that reads `start_ms` (milliseconds since the Unix epoch) now and runs on from there.
    pub fn starting_at(start_ms: i64) -> Clock {
        Clock {
            source: Source::From {
                start_ms,
                at: Instant::now(),
            },
            offset: Arc::default(),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let base = match self.source {
            Source::System => system_ms(),
            Source::From { start_ms, at } => {
                let elapsed = i64::try_from(at.elapsed().as_millis()).unwrap_or(i64::MAX);
                start_ms.saturating_add(elapsed)
            }
        };
        base.saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Whole seconds since the Unix epoch (webhook signatures count in seconds).
    pub fn now_seconds(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Moves this clock and every clone of it on by `ms` (tests: a day later, a week later).
    pub fn advance(&self, ms: i64) {
        self.offset.fetch_add(ms, Ordering::Relaxed);
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "the one place the machine's clock is read"
)]
fn system_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_starts_where_it_is_told_and_runs_on() {
        let clock = Clock::starting_at(1_779_934_000_000);
        let first = clock.now_ms();
        assert!((1_779_934_000_000..1_779_934_060_000).contains(&first));
        let copy = clock.clone();
        copy.advance(86_400_000);
        assert!(
            clock.now_ms() >= first + 86_400_000,
            "clones share the advance"
        );
        assert_eq!(clock.now_seconds(), clock.now_ms().div_euclid(1000));
    }

    #[test]
    fn the_system_clock_is_after_the_first_release() {
        // 2026-01-01: any machine this runs on is later than that.
        assert!(Clock::system().now_ms() > 1_767_225_600_000);
    }
}
