//! Read caches that writes invalidate.
//!
//! A [`Generational`] map keeps values read from the database, each tagged
//! with the generation it was read in. Committing a change that makes them
//! wrong moves the generation on ([`crate::app::App`] does it after the
//! commit, for the [`crate::app::Cache`]s a command names), and a value of an
//! older generation is never served again. A value read while a write was
//! committing keeps the generation from before the read, so it cannot
//! outlive that write either.
//!
//! Writes made by another process reach this one as a PostgreSQL
//! notification (see [`crate::app::listen`]) or, from the command line on
//! SQLite, as a noted change ([`crate::app::ExternalWrites`]); the
//! time-to-live bounds how long a value may stay when neither can arrive
//! (a change made outside the application).
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Generational<K, V> {
    generation: AtomicU64,
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (V, u64, Instant)>>,
}

impl<K: Eq + Hash, V: Clone> Generational<K, V> {
    /// Values live at most `ttl`; past `capacity` entries the map starts
    /// over (the keys are a few filters or sessions, so this is a bound on
    /// memory against hostile keys, not an eviction policy).
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Generational {
            generation: AtomicU64::new(0),
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Every value read so far is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Take before reading the value from the database; give to
    /// [`Generational::put`] with it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let generation = self.generation();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(_, g, at)| *g == generation && at.elapsed() < self.ttl)
            .map(|(v, _, _)| v.clone())
    }

    /// Keeps `value`, read in `generation`, unless a write has committed
    /// since (it would be stale at once).
    pub fn put(&self, key: K, value: V, generation: u64) {
        if generation != self.generation() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (value, generation, Instant::now()));
    }

    /// Drops one key (a session that ended here).
    pub fn remove(&self, key: &K) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_read_before_a_write_is_not_served_after_it() {
        let cache: Generational<&str, u32> = Generational::new(Duration::from_secs(60), 10);
        let g = cache.generation();
        cache.put("a", 1, g);
        assert_eq!(cache.get(&"a"), Some(1));
        cache.invalidate();
        assert_eq!(cache.get(&"a"), None);
        // Read while a write committed: not kept.
        let g = cache.generation();
        cache.invalidate();
        cache.put("a", 2, g);
        assert_eq!(cache.get(&"a"), None);
    }

    #[test]
    fn values_expire_and_the_map_is_bounded() {
        let cache: Generational<u32, u32> = Generational::new(Duration::ZERO, 2);
        cache.put(1, 1, cache.generation());
        assert_eq!(cache.get(&1), None, "expired at once");
        let cache: Generational<u32, u32> = Generational::new(Duration::from_secs(60), 2);
        for k in 0..5 {
            cache.put(k, k, cache.generation());
        }
        assert!(cache.entries.lock().expect("not poisoned").len() <= 2);
        assert_eq!(cache.get(&4), Some(4));
        cache.remove(&4);
        assert_eq!(cache.get(&4), None);
    }
}
