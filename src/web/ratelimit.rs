//! Rate limits per key (a client address, an account), on `governor`'s
//! keyed GCRA limiter: an attempt is checked and counted in one atomic
//! step, so parallel attempts cannot pass a check together before any of
//! them is counted. `max` attempts may come at once; after that one more
//! every `window / max`. One process keeps its own counts.
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

pub struct RateLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        let max = NonZeroU32::new(max).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(window / max.get())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(max);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt for `key`; `Err(seconds)` to wait when it is over
    /// the limit (and then it is not counted).
    pub fn acquire(&self, key: &str) -> Result<(), u64> {
        if self.limiter.len() > 100_000 {
            // Keys whose counts have run out again take no memory.
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&key.to_string())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }
}

/// Increasing delay after failed attempts at one key (an account): the
/// first `free` failures cost nothing, then each further attempt waits 1 s,
/// 2 s, 4 s … up to `max` before it is checked. A success, or `forget`
/// without a failure, starts the count again. Together with the limit per
/// 15 minutes, a guesser gets ever fewer tries while a person who mistypes
/// twice notices nothing.
pub struct Backoff {
    failures: std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>,
    free: u32,
    max: Duration,
    forget: Duration,
}

impl Backoff {
    pub fn new(free: u32, max: Duration, forget: Duration) -> Self {
        Self {
            failures: Default::default(),
            free,
            max,
            forget,
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (u32, std::time::Instant)>>
    {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts an attempt at `key`: how long it waits. The attempt counts as
    /// a failure from now on (until [`Backoff::succeeded`]), so parallel
    /// guesses wait longer and longer too, not all the same time.
    pub fn attempt(&self, key: &str) -> Duration {
        let mut map = self.lock();
        if map.len() > 100_000 {
            let forget = self.forget;
            map.retain(|_, (_, last)| last.elapsed() < forget);
        }
        let entry = map
            .entry(key.to_string())
            .or_insert((0, std::time::Instant::now()));
        if entry.1.elapsed() >= self.forget {
            entry.0 = 0;
        }
        let before = entry.0;
        *entry = (before.saturating_add(1), std::time::Instant::now());
        schedule(before, self.free, self.max)
    }

    pub fn succeeded(&self, key: &str) {
        self.lock().remove(key);
    }
}

fn schedule(failures: u32, free: u32, max: Duration) -> Duration {
    if failures == 0 || failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(16);
    Duration::from_secs(1u64 << doublings).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_after_the_free_failures_and_a_success_ends_it() {
        let max = Duration::from_secs(8);
        let waits: Vec<u64> = (0..9).map(|n| schedule(n, 3, max).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 8, 8]);
        let b = Backoff::new(1, max, Duration::from_secs(900));
        assert_eq!(b.attempt("kirsten"), Duration::ZERO);
        assert_eq!(b.attempt("kirsten"), Duration::from_secs(1));
        assert_eq!(b.attempt("kirsten"), Duration::from_secs(2));
        assert_eq!(b.attempt("jens"), Duration::ZERO, "per key");
        b.succeeded("kirsten");
        assert_eq!(b.attempt("kirsten"), Duration::ZERO);
        let quick = Backoff::new(0, max, Duration::ZERO);
        quick.attempt("a");
        assert_eq!(quick.attempt("a"), Duration::ZERO, "forgotten");
    }

    #[test]
    fn the_limit_counts_when_it_checks_and_names_a_wait() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.acquire("a").is_ok());
        assert!(l.acquire("a").is_ok());
        let wait = l.acquire("a").expect_err("the third attempt is refused");
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(l.acquire("b").is_ok(), "another key has its own count");
    }

    #[test]
    fn parallel_attempts_cannot_pass_together() {
        let l = std::sync::Arc::new(RateLimiter::new(5, Duration::from_secs(900)));
        let passed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (l, passed) = (l.clone(), passed.clone());
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        if l.acquire("same").is_ok() {
                            passed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().ok();
        }
        assert_eq!(passed.load(std::sync::atomic::Ordering::SeqCst), 5);
    }
}
