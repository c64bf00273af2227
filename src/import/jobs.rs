//! Imports started from the web page run in the background; the page polls
//! (a meta refresh, no JavaScript) for progress and the summary.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::Summary;

#[derive(Clone)]
pub enum JobState {
    Running { read: Arc<AtomicU64>, total: u64 },
    Done(Summary),
    Failed(String),
}

#[derive(Default)]
pub struct ImportJobs {
    jobs: Mutex<HashMap<String, (i32, JobState)>>,
}

impl ImportJobs {
    pub fn start(&self, id: &str, owner: i32, read: Arc<AtomicU64>, total: u64) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if jobs.len() > 100 {
            jobs.retain(|_, (_, s)| matches!(s, JobState::Running { .. }));
        }
        jobs.insert(id.to_string(), (owner, JobState::Running { read, total }));
    }

    pub fn finish(&self, id: &str, state: JobState) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = jobs.get_mut(id) {
            entry.1 = state;
        }
    }

    /// The job's state, for its owner only.
    pub fn get(&self, id: &str, owner: i32) -> Option<JobState> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(id)
            .filter(|(o, _)| *o == owner)
            .map(|(_, s)| s.clone())
    }
}

pub fn percent(read: &AtomicU64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    (read.load(Ordering::Relaxed).saturating_mul(100) / total).min(100)
}
