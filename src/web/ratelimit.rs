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

#[cfg(test)]
mod tests {
    use super::*;

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
