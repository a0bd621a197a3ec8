//! Every integration test of the API and the pages, built as one binary: each file beside this one
//! is a module, so the crate and its dependencies are linked once instead of once per file.
//! `crates/store/tests/suite.rs` checks that no file is left out.

mod accounts;
mod admin_users;
mod api_tokens;
mod boundaries;
mod calendar;
mod care;
mod care_board;
mod case_status;
mod cases;
mod certificates;
mod common;
mod consultations;
mod evaluations;
mod fees;
mod green_channel;
mod hall;
mod http;
mod mandates;
mod notifications;
mod password_reset;
mod search;
mod stations;
mod stats;
mod video;
mod video_check;
mod wechat;
