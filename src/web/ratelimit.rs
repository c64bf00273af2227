//! A small in-memory sliding-window limiter (per client address), used for
//! sign-in attempts. One process keeps its own counts; that is enough to
//! stop password guessing against one instance.
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max: max as usize,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` to wait when the address has used up its window.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        let q = hits.entry(ip).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.max {
            let oldest = q.front().copied().unwrap_or(now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        Ok(())
    }

    /// Counts one (failed) attempt.
    pub fn hit(&self, ip: IpAddr) {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.clear();
        }
        hits.entry(ip).or_default().push_back(Instant::now());
    }

    pub fn reset(&self, ip: IpAddr) {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_blocks_after_max_hits_and_names_a_wait() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert!(l.check(ip).is_ok());
        l.hit(ip);
        l.hit(ip);
        let wait = l.check(ip).expect_err("third attempt must be refused");
        assert!((1..=60).contains(&wait));
        l.reset(ip);
        assert!(l.check(ip).is_ok());
    }
}
