//! Every integration test of the use cases, built as one binary: each file beside this one is a
//! module, so the crate and its dependencies are linked once instead of once per file.
//! `crates/store/tests/suite.rs` checks that no file is left out.

mod accounts;
mod admin;
mod api_tokens;
mod audit_chain;
mod backup;
mod care;
mod care_board;
mod case_status;
mod cases;
mod catalogue;
mod certificates;
mod common;
mod consultations;
mod fees;
mod green_channel;
mod mandates;
mod notifications;
mod password_reset;
mod people;
mod search;
mod stations;
mod video;
mod video_check;
