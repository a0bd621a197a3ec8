//! Cases: one application for one catalogue item. [`workflow`] is the table of states and steps each
//! item's workflow allows; [`number`] the human-readable case numbers; [`person`] what a case says
//! about the person it is for; [`timeline`] what happened to it, as its readers see it; [`status`]
//! what it says to someone who checks it without signing in.

pub mod handover;
pub mod material;
pub mod number;
pub mod person;
pub mod signature;
pub mod status;
pub mod timeline;
pub mod workflow;

pub use material::{CaseFile, MediaType, UploadError, check_upload, safe_file_name};
pub use number::{CaseNumber, CaseNumberError};
pub use person::{Relation, age_on, is_minor, is_senior};
pub use status::NextStep;
pub use timeline::{CaseEvent, EventKind};
pub use workflow::{CaseState, Channel, Step, WorkflowError, steps_from, transition};
