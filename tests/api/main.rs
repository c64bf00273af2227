//! Integration tests against the running application.
#![allow(clippy::unwrap_used)]
mod helpers;

mod auth;
mod businesses;
mod contacts;
mod durability;
mod email;
mod import;
mod meili_fake;
mod needs;
mod pages;
mod search;
mod search_contract;
mod smtp_server;
