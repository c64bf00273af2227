//! Integration tests against the running application.
#![allow(clippy::unwrap_used)]
mod helpers;

// The allocator the service runs with (src/main.rs), so that the in-process
// benchmarks measure what production does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod abuse;
mod access;
mod api;
mod auth;
mod browser;
mod businesses;
mod commands;
mod contacts;
mod cpr;
mod durability;
mod email;
mod gdpr;
mod hostile;
mod import;
mod initiatives;
mod instances;
mod merge;
mod needs;
mod oidc;
mod pages;
mod placements;
mod search;
mod search_contract;
mod support;
