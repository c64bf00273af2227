//! Fakes of the services the application talks to, started in the tests:
//! a real SMTP server over TCP ([`smtp_server`]) and an HTTP fake of
//! Meilisearch ([`meili_fake`], with the adapter's tests against it).
pub mod meili_fake;
pub mod smtp_server;
