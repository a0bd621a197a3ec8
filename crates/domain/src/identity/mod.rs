//! Identity numbers, parsed at every boundary: a value of these types is always well-formed.

mod passport;
mod resident_id;

pub use passport::PassportNumber;
pub use resident_id::{ResidentId, ResidentIdError, Sex};
