//! Identity numbers, parsed at every boundary: a value of these types is always well-formed.

mod documents;
mod mrz;
mod passport;
mod permit;
mod resident_id;

pub use documents::{DocumentKind, DocumentNumber, months_until};
pub use mrz::{Mrz, MrzError, MrzField, MrzFormat};
pub use passport::PassportNumber;
pub use permit::{PermitKind, PermitNumber};
pub use resident_id::{ResidentId, ResidentIdError, Sex};
