//! Pure rules of Qiaoyi. Nothing here does I/O, awaits, or reads a clock: time comes in as an argument.
//!
//! Start with [`catalog`]: the service catalogue a deployment is made of, and the rules a catalogue
//! directory must follow before anything of it is stored.

pub mod access;
pub mod calendar;
pub mod calendar_file;
pub mod care;
pub mod cases;
pub mod catalog;
pub mod certificates;
pub mod consultations;
pub mod country;
pub mod evaluation;
pub mod failure;
pub mod fees;
pub mod green_channel;
pub mod hall;
pub mod ice;
pub mod identity;
pub mod lang;
pub mod mandates;
pub mod notify;
pub mod search;
pub mod stats;
pub mod text;
pub mod video;
pub mod video_check;
pub mod wechat;
