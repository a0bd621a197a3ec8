//! Fees: amounts in integer fen ([`money`]) and the double-entry ledger of each case ([`ledger`]),
//! its entries as they are shown ([`entry`]).

pub mod entry;
pub mod ledger;
pub mod money;
pub mod provider;

pub use entry::{LedgerEntry, ProviderRef, RecordedEntry};
pub use ledger::{
    Account, CaseFees, EntryError, EntryKind, FeeGlance, LedgerCheck, LedgerReport, Method,
    Posting, StoredEntry, check_entry, postings,
};
pub use money::{AmountError, MAX_FEN, capital_numerals, format_yuan, parse_yuan};
pub use provider::{ReferenceRule, is_provider_code};
