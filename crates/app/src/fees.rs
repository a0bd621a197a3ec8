//! Fees of a case: the statement (what is due, paid, refunded, written off, each entry), recording
//! payments (also by someone on the applicant's behalf, 代缴), refunds and write-offs, receipts, and
//! `ledger check`. The domain's rules decide what may be recorded; the store checks them again inside
//! the write transaction.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource, allowing_grant};
use qiaoyi_domain::cases::{CaseState, Step};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::fees::{
    CaseFees, EntryKind, LedgerCheck, LedgerEntry, LedgerReport, Method, ProviderRef,
    RecordedEntry, capital_numerals, check_entry, postings,
};
use qiaoyi_domain::lang::Text;
use qiaoyi_store::{NewLedgerEntry, Page, StoreError};

use crate::payments::ProviderError;

use crate::accounts::{CurrentSession, random_hex};
use crate::calendar::beijing_today;
use crate::cases::Case;
use crate::{App, AppError, Caller};

/// A payment, refund or write-off as someone asks to record it.
#[derive(Clone, Debug, Default)]
pub struct FeeRequest {
    pub kind: String,
    pub amount_fen: i64,
    pub method: String,
    pub reference: String,
    pub payer_name: String,
    pub on_behalf: bool,
    pub payer_relation: String,
    pub note: String,
    /// Online payments and refunds, when providers are configured: the provider's code.
    pub provider: String,
    /// A payment by an agent for the applicant (代缴): the mandate she holds from the applicant.
    pub mandate: String,
}

/// A case's fees as its pages show them.
#[derive(Clone, Debug)]
pub struct FeeStatement {
    /// The item's fee in the catalogue.
    pub fee_fen: i64,
    pub fees: CaseFees,
    /// The fee is due but was not charged yet: a case submitted before the ledger existed. It is
    /// charged with the first payment.
    pub pending_charge: i64,
    /// A draft with a fee: it is charged once the case is sent, so nothing is owed yet.
    pub due_on_sending: bool,
    pub entries: Vec<LedgerEntry>,
    /// What the viewer may record: payments; refunds and write-offs.
    pub may_pay: bool,
    pub may_adjust: bool,
}

impl FeeStatement {
    pub fn outstanding(&self) -> i64 {
        self.fees.outstanding() + self.pending_charge
    }

    /// Whether the case has anything about fees worth showing.
    pub fn is_empty(&self) -> bool {
        self.fee_fen == 0 && self.entries.is_empty()
    }
}

/// Everything a receipt prints.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub entry: LedgerEntry,
    pub case: Case,
    pub bureau: Text,
    pub capitals: String,
}

const MAX_REFERENCE: usize = 100;
const MAX_PAYER: usize = 100;
const MAX_RELATION: usize = 50;
const MAX_NOTE: usize = 500;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: message.into(),
    }
}

fn text_checked(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<String, AppError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(invalid(field, "this is required"));
    }
    if text.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            "remove the line breaks and control characters",
        ));
    }
    Ok(text.to_owned())
}

/// The charge a case's submission writes, when its item has a fee.
pub(crate) fn charge_for(
    case: &Case,
    actor_id: &str,
    role: &str,
    now: i64,
) -> Option<NewLedgerEntry> {
    let fee = i64::from(case.item.fee_fen);
    (fee > 0).then(|| charge_entry(case, fee, actor_id, role, now))
}

fn charge_entry(case: &Case, fee: i64, actor_id: &str, role: &str, now: i64) -> NewLedgerEntry {
    NewLedgerEntry {
        id: random_hex(16),
        case_id: case.id.clone(),
        kind: EntryKind::Charge,
        amount_fen: fee,
        method: None,
        reference: String::new(),
        payer_name: String::new(),
        on_behalf: false,
        payer_relation: String::new(),
        note: case.item.code.to_string(),
        recorded_by: actor_id.to_owned(),
        recorded_role: role.to_owned(),
        postings: postings(EntryKind::Charge, &case.id, fee, Method::CashWindow),
        receipt_year: i64::from(beijing_today(now).year()),
        provider: None,
        mandate_id: None,
    }
}

/// Submitted cases owe their item's fee; a draft or a withdrawn draft owes nothing.
fn owes_fee(case: &Case) -> bool {
    !matches!(case.state, CaseState::Draft | CaseState::Withdrawn)
}

impl App {
    /// The payments, refunds and write-offs the signed-in user recorded, newest first: what a
    /// station or consultant paid or took for others (代缴) shows here as on the applicant's case.
    pub async fn recorded_entries(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<RecordedEntry>, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        crate::check_limit(limit)?;
        Ok(self
            .store
            .ledger_entries_recorded_by(me, offset, limit)
            .await?)
    }

    /// The fees of a case the signed-in user may read.
    pub async fn case_fees(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> Result<FeeStatement, AppError> {
        let case = self.readable_case(caller, case_id).await?;
        self.audit_read(
            caller,
            AuditEvent::ReadFees,
            (AuditSubject::Case, &case.id),
            case.applicant_id.as_deref(),
            format!("case {}", case.number),
        )
        .await?;
        self.statement(caller.session(), &case).await
    }

    pub(crate) async fn statement(
        &self,
        session: Option<&CurrentSession>,
        case: &Case,
    ) -> Result<FeeStatement, AppError> {
        let entries = self.store.ledger_entries(&case.id).await?;
        let mut fees = CaseFees::default();
        for e in &entries {
            fees.apply(e.kind, e.amount_fen);
        }
        let fee_fen = i64::from(case.item.fee_fen);
        let pending_charge = if fees.charged == 0 && owes_fee(case) {
            fee_fen
        } else {
            0
        };
        let may = |action| {
            session.is_some_and(|s| {
                qiaoyi_domain::access::decide(&s.actor, action, &case.resource()).is_allowed()
            })
        };
        Ok(FeeStatement {
            due_on_sending: case.state == CaseState::Draft && fee_fen > 0 && entries.is_empty(),
            fee_fen,
            fees,
            pending_charge,
            entries,
            may_pay: may(Action::RecordPayment),
            may_adjust: may(Action::AdjustFees),
        })
    }

    /// Records a payment, refund or write-off on a case. Returns the entry written.
    pub async fn record_fee(
        &self,
        caller: &Caller,
        case_id: &str,
        request: &FeeRequest,
    ) -> Result<LedgerEntry, AppError> {
        let case = self.readable_case(caller, case_id).await?;
        let kind = match EntryKind::parse(request.kind.trim()) {
            Some(EntryKind::Charge) => {
                return Err(invalid(
                    "kind",
                    "the fee is charged when the case is submitted; record a payment, refund or write-off",
                ));
            }
            Some(kind) => kind,
            None => return Err(invalid("kind", "choose payment, refund or write_off")),
        };
        let action = if kind == EntryKind::Payment {
            Action::RecordPayment
        } else {
            Action::AdjustFees
        };
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        // A payment under a mandate is made for the applicant by her agent; the mandate must name
        // this case's applicant and item and be in force today.
        let mandate = match request.mandate.trim() {
            "" => None,
            _ if kind != EntryKind::Payment => {
                return Err(invalid("mandate", "only a payment is made under a mandate"));
            }
            id => {
                let (m, _) = self.load_mandate(id).await.map_err(|e| match e {
                    AppError::NotFound(_) => invalid("mandate", "no mandate has this number"),
                    other => other,
                })?;
                let principal = case.applicant_id.as_deref().unwrap_or("\u{0}");
                self.mandate_covers(&m, Some(principal), &case.item.code, caller.now)?;
                Some(m)
            }
        };
        // The policy decides on the case as this payment sees it: one who pays under a mandate
        // naming her is the applicant's agent for it, whoever filed the case.
        let mut resource = case.resource();
        if let (Some(m), Resource::Case { agent, .. }) = (&mandate, &mut resource)
            && m.agent.id == actor.user_id
        {
            *agent = &m.agent.id;
        }
        self.authorize(caller, action, &resource).await?;
        let role = allowing_grant(actor, action, &resource)
            .map(|g| g.role().as_str())
            .unwrap_or_default();

        let method = if kind.moves_money() {
            Some(Method::parse(request.method.trim()).ok_or_else(|| {
                invalid(
                    "method",
                    "choose cash_station, cash_window, bank_transfer or online",
                )
            })?)
        } else {
            None
        };
        let reference = text_checked(
            "reference",
            &request.reference,
            MAX_REFERENCE,
            method.is_some_and(Method::needs_reference),
        )?;
        let payer_name = text_checked(
            "payer_name",
            &request.payer_name,
            MAX_PAYER,
            kind.moves_money() && request.mandate.trim().is_empty(),
        )?;
        let on_behalf = (request.on_behalf || mandate.is_some()) && kind == EntryKind::Payment;
        let payer_name = match &mandate {
            Some(m) if payer_name.is_empty() => m.agent.name.clone(),
            _ => payer_name,
        };
        let payer_relation = match &mandate {
            Some(m) if request.payer_relation.trim().is_empty() => m.relation.as_str().to_owned(),
            _ => text_checked(
                "payer_relation",
                &request.payer_relation,
                MAX_RELATION,
                on_behalf,
            )?,
        };
        let note = text_checked("note", &request.note, MAX_NOTE, kind == EntryKind::WriteOff)?;
        let (reference, provider) = match method {
            Some(Method::Online) if !self.providers.is_empty() => {
                let code = request.provider.trim();
                let provider = self.providers.get(code).ok_or_else(|| {
                    let codes: Vec<String> =
                        self.providers.list().into_iter().map(|(c, _)| c).collect();
                    invalid(
                        "provider",
                        format!("choose the online provider: {}", codes.join(", ")),
                    )
                })?;
                let reference = provider
                    .check_reference(&reference)
                    .map_err(|m| AppError::refused("reference", Reason::ReferenceFormat, m))?;
                (reference, Some(provider))
            }
            _ => (reference, None),
        };

        let statement = self.statement(caller.session(), &case).await?;
        let mut fees = statement.fees;
        if kind == EntryKind::Payment && statement.pending_charge > 0 {
            // A case submitted before fees were recorded is charged now, on its own.
            let charge = charge_entry(
                &case,
                statement.pending_charge,
                &actor.user_id,
                role,
                caller.now,
            );
            let record = self.audit_record(
                Some(actor),
                EntryKind::Charge,
                (AuditSubject::Case, &case.id),
                "ok",
                &caller.client,
                caller.now,
            );
            match self
                .store
                .record_ledger_entry(&charge, caller.now, &record, &[])
                .await
            {
                Ok(_) | Err(StoreError::Ledger(_)) => {}
                Err(e) => return Err(e.into()),
            }
            fees.apply(EntryKind::Charge, statement.pending_charge);
        }
        check_entry(&fees, kind, request.amount_fen)
            .map_err(|e| invalid("amount", e.to_string()))?;
        let provider = match provider {
            Some(p) => Some(ProviderRef {
                code: p.code().to_owned(),
                confirmed: kind == EntryKind::Payment
                    && match p
                        .confirm(&reference, request.amount_fen, caller.now.div_euclid(1000))
                        .await
                    {
                        Ok(confirmed) => confirmed,
                        Err(ProviderError::Refused(m)) => {
                            return Err(AppError::refused(
                                "reference",
                                Reason::ReferenceRefused,
                                m,
                            ));
                        }
                        Err(ProviderError::Unreachable(m)) => {
                            return Err(AppError::refused(
                                "provider",
                                Reason::ProviderUnreachable,
                                format!("{m}; try again in a minute, or record the payment later"),
                            ));
                        }
                    },
            }),
            None => None,
        };

        let entry = NewLedgerEntry {
            id: random_hex(16),
            case_id: case.id.clone(),
            kind,
            amount_fen: request.amount_fen,
            method: method.map(|m| m.as_str().to_owned()),
            reference,
            payer_name,
            on_behalf,
            payer_relation,
            note,
            recorded_by: actor.user_id.clone(),
            recorded_role: role.to_owned(),
            postings: postings(
                kind,
                &case.id,
                request.amount_fen,
                method.unwrap_or(Method::CashWindow),
            ),
            receipt_year: i64::from(beijing_today(caller.now).year()),
            provider,
            mandate_id: mandate.as_ref().map(|m| m.id.clone()),
        };
        let mut record = self.audit_record(
            Some(actor),
            kind,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = match &mandate {
            Some(m) => format!("case {} {}", case.number, crate::mandates::acting_for(m)),
            None => format!("case {}", case.number),
        };
        let messages = match &mandate {
            Some(m) => self.proxy_act_messages(&case, &m.agent.id, "pay").await?,
            None => Vec::new(),
        };
        match self
            .store
            .record_ledger_entry(&entry, caller.now, &record, &messages)
            .await
        {
            Ok(_) => {}
            Err(StoreError::Ledger(e)) => return Err(invalid("amount", e.to_string())),
            Err(e) => return Err(e.into()),
        }
        self.store
            .ledger_entry(&entry.id)
            .await?
            .ok_or_else(|| AppError::NotFound("the entry just written".into()))
    }

    /// The receipt of a payment or refund, for whoever may read its case.
    pub async fn receipt(&self, caller: &Caller, entry_id: &str) -> Result<Receipt, AppError> {
        let not_found = || AppError::NotFound("this receipt".into());
        let entry = self
            .store
            .ledger_entry(entry_id)
            .await?
            .filter(|e| e.receipt_number.is_some())
            .ok_or_else(not_found)?;
        let case = self
            .readable_case(caller, &entry.case_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        self.audit_read(
            caller,
            AuditEvent::ReadReceipt,
            (AuditSubject::Case, &case.id),
            case.applicant_id.as_deref(),
            format!("case {}", case.number),
        )
        .await?;
        let capitals = capital_numerals(entry.amount_fen).ok_or_else(|| {
            AppError::Store(StoreError::CorruptRow {
                table: "ledger_entries",
                key: entry.id.clone(),
                reason: format!("amount {} out of range", entry.amount_fen),
            })
        })?;
        Ok(Receipt {
            bureau: self.catalog_header().await?.bureau,
            capitals,
            entry,
            case,
        })
    }

    /// Replays the whole ledger in batches and reports what does not hold.
    pub async fn ledger_check(
        &self,
        mut progress: impl FnMut(i64, i64),
    ) -> Result<LedgerReport, AppError> {
        const BATCH: i64 = 1000;
        let last = self.store.ledger_last_seq().await?;
        let mut check = LedgerCheck::default();
        let mut from = 1;
        while from <= last {
            let to = (from + BATCH - 1).min(last);
            for entry in self.store.ledger_batch(from, to).await? {
                check.add(&entry);
            }
            progress(to, last);
            from = to + 1;
        }
        Ok(check.finish())
    }
}

/// Whether a case's submission step charges its fee.
pub(crate) fn charges_at(step: Step) -> bool {
    step == Step::Submit
}
