//! Integration tests against the running application.
mod helpers;

mod auth;
mod businesses;
mod contacts;
mod import;
mod pages;
