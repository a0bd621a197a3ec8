//! A written ledger entry as a case's fee statement, a receipt and a staff member's list show it.

use crate::access::Role;

use super::ledger::{EntryKind, Method};

/// The provider of an online payment, and whether its gateway confirmed the reference and amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRef {
    pub code: String,
    pub confirmed: bool,
}

/// One entry of a case's ledger, numbered in the order entries were written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub seq: i64,
    pub id: String,
    pub case_id: String,
    pub kind: EntryKind,
    pub amount_fen: i64,
    /// Payments and refunds: how the money moved.
    pub method: Option<Method>,
    pub reference: String,
    pub payer_name: String,
    /// Paid by someone for the applicant (代缴).
    pub on_behalf: bool,
    pub payer_relation: String,
    pub note: String,
    pub recorded_by: String,
    /// The role it was recorded in; `None` when no grant named one (the charge at submission by
    /// the system).
    pub recorded_role: Option<Role>,
    /// Milliseconds since 1970 (UTC).
    pub recorded_at: i64,
    /// Payments and refunds: `R-2026-000001`.
    pub receipt_number: Option<String>,
    pub provider: Option<ProviderRef>,
    /// A payment by an agent for the applicant under this mandate.
    pub mandate_id: Option<String>,
}

/// An entry in a staff member's list, with what identifies its case to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEntry {
    pub entry: LedgerEntry,
    pub case_number: String,
    pub person_name: String,
}
