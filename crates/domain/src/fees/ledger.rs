//! The fee ledger: double entry in integer fen. Every entry (a charge, a payment, a refund, a
//! write-off) is written as postings that sum to zero, derived from the entry by [`postings`] and
//! nothing else, so that [`LedgerCheck`] can recompute them and prove the stored ledger.
//!
//! Accounts: `receivable:{case}` (what the applicant owes for one case), `income:fees`,
//! `funds:{method}` (money held, by how it came in) and `expense:write_off`.

use std::collections::BTreeMap;
use std::fmt;

use thiserror::Error;

use super::money::{MAX_FEN, format_yuan};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// The item's fee falls due (at submission).
    Charge,
    /// Money received for the case, from the applicant or from someone on their behalf (代缴).
    Payment,
    /// Money given back.
    Refund,
    /// An amount owed that the bureau will not collect.
    WriteOff,
}

impl EntryKind {
    pub const ALL: [EntryKind; 4] = [
        EntryKind::Charge,
        EntryKind::Payment,
        EntryKind::Refund,
        EntryKind::WriteOff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Charge => "charge",
            EntryKind::Payment => "payment",
            EntryKind::Refund => "refund",
            EntryKind::WriteOff => "write_off",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Payments and refunds move money, so they say how and get a receipt.
    pub fn moves_money(self) -> bool {
        matches!(self, EntryKind::Payment | EntryKind::Refund)
    }
}

/// How money came in or went out. Online payments are recorded with the provider's reference; no
/// provider is called from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    CashStation,
    CashWindow,
    BankTransfer,
    Online,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::CashStation,
        Method::CashWindow,
        Method::BankTransfer,
        Method::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::CashStation => "cash_station",
            Method::CashWindow => "cash_window",
            Method::BankTransfer => "bank_transfer",
            Method::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// A transfer or an online payment is traced by its external reference.
    pub fn needs_reference(self) -> bool {
        matches!(self, Method::BankTransfer | Method::Online)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    Receivable(String),
    FeeIncome,
    Funds(Method),
    WriteOffs,
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::Receivable(case) => write!(f, "receivable:{case}"),
            Account::FeeIncome => f.write_str("income:fees"),
            Account::Funds(m) => write!(f, "funds:{}", m.as_str()),
            Account::WriteOffs => f.write_str("expense:write_off"),
        }
    }
}

/// One line of an entry: positive debits, negative credits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    pub account: String,
    pub amount_fen: i64,
}

/// The postings of an entry. They always sum to zero. `method` is ignored for kinds that move no
/// money.
pub fn postings(kind: EntryKind, case_id: &str, amount_fen: i64, method: Method) -> Vec<Posting> {
    let receivable = Account::Receivable(case_id.to_owned());
    let (debit, credit) = match kind {
        EntryKind::Charge => (receivable, Account::FeeIncome),
        EntryKind::Payment => (Account::Funds(method), receivable),
        EntryKind::Refund => (Account::FeeIncome, Account::Funds(method)),
        EntryKind::WriteOff => (Account::WriteOffs, receivable),
    };
    vec![
        Posting {
            account: debit.to_string(),
            amount_fen,
        },
        Posting {
            account: credit.to_string(),
            amount_fen: -amount_fen,
        },
    ]
}

/// A case's fees so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseFees {
    pub charged: i64,
    pub paid: i64,
    pub refunded: i64,
    pub written_off: i64,
}

impl CaseFees {
    /// Still owed: the balance of the case's receivable account.
    pub fn outstanding(&self) -> i64 {
        self.charged - self.paid - self.written_off
    }

    /// What a refund may give back.
    pub fn refundable(&self) -> i64 {
        self.paid - self.refunded
    }

    pub fn apply(&mut self, kind: EntryKind, amount_fen: i64) {
        match kind {
            EntryKind::Charge => self.charged += amount_fen,
            EntryKind::Payment => self.paid += amount_fen,
            EntryKind::Refund => self.refunded += amount_fen,
            EntryKind::WriteOff => self.written_off += amount_fen,
        }
    }
}

/// Where a case's fee stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeGlance {
    /// The item asks no fee and none was charged.
    NoFee,
    /// This much (fen) is still owed, or will be once the fee is charged at submission.
    Owed(i64),
    /// Charged, and paid or written off in full.
    Settled,
}

impl FeeGlance {
    /// From the case's fee entries so far and its item's fee.
    pub fn of(fees: &CaseFees, item_fee_fen: u32) -> FeeGlance {
        if fees.charged == 0 {
            return match i64::from(item_fee_fen) {
                0 => FeeGlance::NoFee,
                due => FeeGlance::Owed(due),
            };
        }
        match fees.outstanding() {
            owed if owed > 0 => FeeGlance::Owed(owed),
            _ => FeeGlance::Settled,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EntryError {
    #[error("an amount must be more than 0 and at most 999,999,999.99 yuan")]
    AmountOutOfRange,
    #[error("this case's fee is already charged")]
    AlreadyCharged,
    #[error("nothing is owed on this case")]
    NothingOwed,
    #[error("{} yuan is owed; record at most that", format_yuan(*.outstanding))]
    MoreThanOwed { outstanding: i64 },
    #[error("{} yuan was paid and not yet refunded; refund at most that", format_yuan(*.refundable))]
    MoreThanPaid { refundable: i64 },
}

/// Whether an entry may be recorded on a case with these fees: no overpayment, no refund of more
/// than was paid, no write-off of more than is owed, one charge per case.
pub fn check_entry(fees: &CaseFees, kind: EntryKind, amount_fen: i64) -> Result<(), EntryError> {
    if !(1..=MAX_FEN).contains(&amount_fen) {
        return Err(EntryError::AmountOutOfRange);
    }
    match kind {
        EntryKind::Charge if fees.charged > 0 => Err(EntryError::AlreadyCharged),
        EntryKind::Charge => Ok(()),
        EntryKind::Payment | EntryKind::WriteOff if fees.outstanding() <= 0 => {
            Err(EntryError::NothingOwed)
        }
        EntryKind::Payment | EntryKind::WriteOff if amount_fen > fees.outstanding() => {
            Err(EntryError::MoreThanOwed {
                outstanding: fees.outstanding(),
            })
        }
        EntryKind::Refund if amount_fen > fees.refundable() => Err(EntryError::MoreThanPaid {
            refundable: fees.refundable(),
        }),
        _ => Ok(()),
    }
}

/// A stored entry with its stored postings, as `ledger check` reads them.
#[derive(Clone, Debug)]
pub struct StoredEntry {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub amount_fen: i64,
    pub method: Option<String>,
    pub postings: Vec<Posting>,
}

/// What `ledger check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerReport {
    pub entries: u64,
    pub postings: u64,
    /// Every account's balance; a checked ledger's balances sum to zero.
    pub balances: BTreeMap<String, i128>,
    pub problems: Vec<String>,
}

impl LedgerReport {
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks a ledger entry by entry (so it can be read in batches): each entry's postings are exactly
/// those [`postings`] derives from it (so they balance), each case's fees obey [`check_entry`] in the
/// order written, and at the end every balance sums to zero and no case is overpaid.
#[derive(Default)]
pub struct LedgerCheck {
    report: LedgerReport,
    cases: BTreeMap<String, CaseFees>,
}

const MAX_PROBLEMS: usize = 100;

impl LedgerCheck {
    fn problem(&mut self, text: String) {
        if self.report.problems.len() < MAX_PROBLEMS {
            self.report.problems.push(text);
        }
    }

    pub fn add(&mut self, entry: &StoredEntry) {
        self.report.entries += 1;
        for p in &entry.postings {
            self.report.postings += 1;
            *self.report.balances.entry(p.account.clone()).or_default() += i128::from(p.amount_fen);
        }
        let Some(kind) = EntryKind::parse(&entry.kind) else {
            self.problem(format!("entry {}: unknown kind {:?}", entry.id, entry.kind));
            return;
        };
        let method = match (
            kind.moves_money(),
            entry.method.as_deref().map(Method::parse),
        ) {
            (true, Some(Some(m))) => m,
            (false, None) => Method::CashWindow,
            _ => {
                self.problem(format!(
                    "entry {}: method {:?} does not fit a {}",
                    entry.id,
                    entry.method,
                    kind.as_str()
                ));
                return;
            }
        };
        let sum: i128 = entry
            .postings
            .iter()
            .map(|p| i128::from(p.amount_fen))
            .sum();
        if sum != 0 {
            self.problem(format!(
                "entry {}: postings sum to {sum} fen, not 0",
                entry.id
            ));
        }
        let mut stored = entry.postings.clone();
        let mut expected = postings(kind, &entry.case_id, entry.amount_fen, method);
        stored.sort_by(|a, b| a.account.cmp(&b.account));
        expected.sort_by(|a, b| a.account.cmp(&b.account));
        if stored != expected {
            self.problem(format!(
                "entry {}: its postings are not those of a {} of {} fen",
                entry.id,
                kind.as_str(),
                entry.amount_fen
            ));
        }
        let fees = self.cases.entry(entry.case_id.clone()).or_default();
        let allowed = check_entry(fees, kind, entry.amount_fen);
        fees.apply(kind, entry.amount_fen);
        if let Err(e) = allowed {
            self.problem(format!("entry {} on case {}: {e}", entry.id, entry.case_id));
        }
    }

    pub fn finish(mut self) -> LedgerReport {
        let total: i128 = self.report.balances.values().sum();
        if total != 0 {
            self.problem(format!("the balances sum to {total} fen, not 0"));
        }
        let overpaid: Vec<String> = self
            .report
            .balances
            .iter()
            .filter(|(account, balance)| account.starts_with("receivable:") && **balance < 0)
            .map(|(account, balance)| format!("{account} is overpaid by {} fen", -balance))
            .collect();
        for p in overpaid {
            self.problem(p);
        }
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fee_is_owed_until_paid_or_written_off() {
        let none = CaseFees::default();
        assert_eq!(FeeGlance::of(&none, 0), FeeGlance::NoFee);
        assert_eq!(
            FeeGlance::of(&none, 12_000),
            FeeGlance::Owed(12_000),
            "due at submission"
        );
        let mut fees = CaseFees::default();
        fees.apply(EntryKind::Charge, 12_000);
        assert_eq!(FeeGlance::of(&fees, 12_000), FeeGlance::Owed(12_000));
        fees.apply(EntryKind::Payment, 2_000);
        assert_eq!(FeeGlance::of(&fees, 12_000), FeeGlance::Owed(10_000));
        fees.apply(EntryKind::WriteOff, 10_000);
        assert_eq!(FeeGlance::of(&fees, 12_000), FeeGlance::Settled);
        fees.apply(EntryKind::Refund, 2_000);
        assert_eq!(
            FeeGlance::of(&fees, 12_000),
            FeeGlance::Settled,
            "a refund owes nothing"
        );
    }
    use proptest::prelude::*;

    fn entry(id: usize, case: &str, kind: EntryKind, amount: i64, method: Method) -> StoredEntry {
        StoredEntry {
            id: format!("e{id}"),
            case_id: case.into(),
            kind: kind.as_str().into(),
            amount_fen: amount,
            method: kind.moves_money().then(|| method.as_str().into()),
            postings: postings(kind, case, amount, method),
        }
    }

    #[test]
    fn the_rules_refuse_overpayment_and_over_refund() {
        let mut fees = CaseFees::default();
        assert_eq!(
            check_entry(&fees, EntryKind::Payment, 100),
            Err(EntryError::NothingOwed)
        );
        assert_eq!(check_entry(&fees, EntryKind::Charge, 12_000), Ok(()));
        fees.apply(EntryKind::Charge, 12_000);
        assert_eq!(
            check_entry(&fees, EntryKind::Charge, 12_000),
            Err(EntryError::AlreadyCharged)
        );
        assert_eq!(
            check_entry(&fees, EntryKind::Payment, 12_001),
            Err(EntryError::MoreThanOwed {
                outstanding: 12_000
            })
        );
        for bad in [0, -1, MAX_FEN + 1, i64::MIN, i64::MAX] {
            assert_eq!(
                check_entry(&fees, EntryKind::Payment, bad),
                Err(EntryError::AmountOutOfRange)
            );
        }
        fees.apply(EntryKind::Payment, 12_000);
        assert_eq!(fees.outstanding(), 0);
        assert_eq!(
            check_entry(&fees, EntryKind::Refund, 12_001),
            Err(EntryError::MoreThanPaid { refundable: 12_000 })
        );
        assert_eq!(check_entry(&fees, EntryKind::Refund, 12_000), Ok(()));
        assert_eq!(
            EntryError::MoreThanOwed {
                outstanding: 12_050
            }
            .to_string(),
            "120.50 yuan is owed; record at most that"
        );
    }

    #[test]
    fn a_tampered_entry_is_found() {
        let good = entry(1, "c1", EntryKind::Charge, 12_000, Method::CashWindow);
        let mut check = LedgerCheck::default();
        check.add(&good);
        assert!(check.finish().is_sound());

        let mut unbalanced = good.clone();
        unbalanced.postings[1].amount_fen = -11_999;
        let mut check = LedgerCheck::default();
        check.add(&unbalanced);
        let report = check.finish();
        assert!(
            report.problems.iter().any(|p| p.contains("sum to 1 fen")),
            "{report:?}"
        );

        let mut moved = good.clone();
        moved.postings[0].account = "receivable:c2".into();
        let mut check = LedgerCheck::default();
        check.add(&moved);
        assert!(!check.finish().is_sound());

        let mut check = LedgerCheck::default();
        check.add(&good);
        check.add(&entry(2, "c1", EntryKind::Payment, 12_000, Method::Online));
        check.add(&entry(3, "c1", EntryKind::Payment, 1, Method::Online));
        let report = check.finish();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("overpaid by 1 fen")),
            "{report:?}"
        );

        let mut check = LedgerCheck::default();
        let mut no_method = entry(4, "c1", EntryKind::Payment, 1, Method::Online);
        no_method.method = None;
        check.add(&no_method);
        assert!(!check.finish().is_sound());
    }

    #[derive(Clone, Debug)]
    struct Op {
        case: usize,
        kind: EntryKind,
        amount: i64,
        method: Method,
    }

    fn op() -> impl Strategy<Value = Op> {
        (
            0..25usize,
            prop::sample::select(EntryKind::ALL.to_vec()),
            prop_oneof![1..=20_000i64, -5..=5i64, Just(MAX_FEN), Just(MAX_FEN + 1)],
            prop::sample::select(Method::ALL.to_vec()),
        )
            .prop_map(|(case, kind, amount, method)| Op {
                case,
                kind,
                amount,
                method,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        /// 10,000 random entries, each recorded only when the rules allow it: the check finds the
        /// ledger sound, every case's receivable equals what it still owes, and no balance is lost.
        #[test]
        fn ten_thousand_random_entries_balance(ops in prop::collection::vec(op(), 10_000)) {
            let mut fees: BTreeMap<usize, CaseFees> = BTreeMap::new();
            let mut check = LedgerCheck::default();
            let mut recorded = 0;
            for (i, op) in ops.iter().enumerate() {
                let case = fees.entry(op.case).or_default();
                if check_entry(case, op.kind, op.amount).is_ok() {
                    case.apply(op.kind, op.amount);
                    check.add(&entry(i, &format!("c{}", op.case), op.kind, op.amount, op.method));
                    recorded += 1;
                }
            }
            let report = check.finish();
            prop_assert!(report.is_sound(), "{:?}", report.problems);
            prop_assert_eq!(report.entries, recorded);
            prop_assert_eq!(report.postings, recorded * 2);
            for (case, f) in &fees {
                let balance = report.balances.get(&format!("receivable:c{case}")).copied().unwrap_or(0);
                prop_assert_eq!(balance, i128::from(f.outstanding()));
                prop_assert!(f.outstanding() >= 0 && f.refundable() >= 0);
            }
        }
    }
}
