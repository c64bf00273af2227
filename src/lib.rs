//! erhverv: the business-service portal and CRM of Copenhagen Municipality's
//! business administration.
pub mod api;
pub mod app;
pub mod audit;
pub mod businesses;
pub mod config;
pub mod contacts;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod gdpr;
pub mod import;
pub mod initiatives;
pub mod placements;
pub mod recruitment;
pub mod search;
pub mod startup;
pub mod telemetry;
pub mod users;
pub mod web;

#[cfg(test)]
mod proptests;
