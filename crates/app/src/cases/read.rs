//! Reading cases: one case with its timeline, files, fees, certificate, green-channel requests and
//! the steps the reader may take (staff reads land on the person's "who read my file"), and the
//! lists (mine, a station's, the bureau's queues by deadline).

use qiaoyi_domain::access::{Action, AuditSubject, Grant, decide};
use qiaoyi_domain::cases::{CaseEvent, CaseFile, CaseNumber, Step, steps_from};
use qiaoyi_domain::catalog::{CategoryCode, Item};
use qiaoyi_domain::fees::{CaseFees, FeeGlance};
use qiaoyi_store::{CaseRow, CaseScope, Page};

use super::{Case, invalid};
use crate::{App, AppError, Caller};

/// A case with its timeline, its files and the steps the viewer may take now.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    pub case: Case,
    pub events: Vec<CaseEvent>,
    pub files: Vec<CaseFile>,
    pub steps: Vec<Step>,
    /// How the document was sent, and the handover code for the person who receives it.
    pub handover: Option<crate::handover::Handover>,
    /// What is due, paid and refunded, and which fee entries the viewer may record.
    pub fees: crate::fees::FeeStatement,
    /// The certificate a certificate case issued, with what verification says of it now.
    pub certificate: Option<crate::certificates::Certificate>,
    /// Green-channel requests on the case, newest first, and whether the reader may ask for one.
    pub green: Vec<qiaoyi_domain::green_channel::GreenRequest>,
    pub may_request_green: bool,
    /// Other cases under way for the same service and person (same name and birth date) that
    /// the reader may read: possible duplicates, oldest first.
    pub possible_duplicates: Vec<Case>,
}

/// A case in a list with what staff see of it at a glance.
#[derive(Clone, Debug)]
pub struct CaseAtAGlance {
    pub case: Case,
    /// Required materials without a file, numbered from 1 as the case page numbers them.
    pub missing_materials: Vec<usize>,
    pub fee: FeeGlance,
    /// Verified on its way to its state (see `CaseState::identity_verified`).
    pub identity_verified: bool,
}

/// Which list of cases to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseList {
    /// The signed-in person's own cases and those they filed.
    Mine,
    /// The cases of the signed-in station account's station.
    Station,
    /// The bureau's queue in the signed-in officer's categories (every category for a duty leader),
    /// or in one of them.
    Queue(Option<CategoryCode>),
}

impl CaseList {
    /// Reads `mine`, `station` or `queue`, with an optional category for the queue.
    pub fn parse(view: &str, category: Option<&str>) -> Option<CaseList> {
        match (view, category.filter(|c| !c.is_empty())) {
            ("mine", None) => Some(CaseList::Mine),
            ("station", None) => Some(CaseList::Station),
            ("queue", None) => Some(CaseList::Queue(None)),
            ("queue", Some(c)) => c.parse().ok().map(|c| CaseList::Queue(Some(c))),
            _ => None,
        }
    }
}

/// A case from its row (whose states, codes and dates the store has read) and its item.
fn case_of(row: CaseRow, item: Item) -> Case {
    Case {
        id: row.id,
        number: row.number,
        item,
        state: row.state,
        channel: row.channel,
        applicant_id: row.applicant_id,
        filed_by: row.filed_by,
        station: row.station,
        version: row.version,
        person_name: row.person_name,
        person_name_latin: row.person_name_latin,
        birth_date: row.person_birth_date,
        relation: row.relation,
        delivery: row.delivery,
        created_at: row.created_at,
        updated_at: row.updated_at,
        submitted_at: row.submitted_at,
        accepted_at: row.accepted_at,
        deadline: row.deadline,
        deadline_provisional: row.deadline_provisional,
        reason: row.reason,
        mandate_id: row.mandate_id,
        green_due: row.green_due,
        green_due_provisional: row.green_due_provisional,
    }
}

impl App {
    pub(crate) async fn load_case(&self, id: &str) -> Result<Case, AppError> {
        let row = self
            .store
            .case_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("case {id}")))?;
        let item = self.item(&row.item_code).await?;
        Ok(case_of(row, item))
    }

    /// Cases from their rows, the catalogue read once for all of them.
    pub(crate) async fn cases_from_rows(&self, rows: Vec<CaseRow>) -> Result<Vec<Case>, AppError> {
        let items = self.items(None).await?;
        rows.into_iter()
            .map(|row| {
                let item = items
                    .iter()
                    .find(|i| i.code.as_str() == row.item_code)
                    .cloned()
                    .ok_or_else(|| AppError::NotFound(format!("item {}", row.item_code)))?;
                Ok(case_of(row, item))
            })
            .collect()
    }

    /// A case the signed-in user may read; "not found" for a case that does not exist.
    pub(crate) async fn readable_case(&self, caller: &Caller, id: &str) -> Result<Case, AppError> {
        let case = self.load_case(id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize_case_read(caller, &case).await?;
        Ok(case)
    }

    /// A case the signed-in user may read, with what they may do next. Staff reading someone
    /// else's case is recorded on that person's "who read my file".
    pub async fn case(&self, caller: &Caller, id: &str) -> Result<CaseDetail, AppError> {
        let case = self.load_case(id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize_case_read(caller, &case).await?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let own = case.applicant_id.as_deref() == Some(actor.user_id.as_str())
            || case.filed_by == actor.user_id;
        self.audit_read(
            caller,
            Action::ReadCase,
            (AuditSubject::Case, &case.id),
            case.applicant_id.as_deref(),
            format!("case {}", case.number),
        )
        .await?;
        let steps = steps_from(case.workflow(), case.state)
            .into_iter()
            .filter(|s| decide(actor, s.action(), &case.resource()).is_allowed())
            .filter(|s| *s != Step::Submit || !own || case.filed_by == actor.user_id)
            .collect();
        let certificate = match self.store.certificate_of_case(&case.id).await? {
            Some(row) => Some(self.certificate_view(caller, row, &case).await?),
            None => None,
        };
        let green = self.green_requests_of_case(&case.id).await?;
        let waiting = green
            .iter()
            .any(|g| g.state == qiaoyi_domain::green_channel::RequestState::Requested);
        let possible_duplicates = if case.state.is_under_way() {
            let rows = self
                .store
                .cases_under_way_like(
                    &case.item.code.to_string(),
                    &case.person_name,
                    case.birth_date,
                    super::open::MAX_POSSIBLE_DUPLICATES + 1,
                )
                .await?
                .into_iter()
                .filter(|row| row.id != case.id)
                .take(usize::try_from(super::open::MAX_POSSIBLE_DUPLICATES).unwrap_or(usize::MAX))
                .collect();
            self.cases_from_rows(rows)
                .await?
                .into_iter()
                .filter(|other| decide(actor, Action::ReadCase, &other.resource()).is_allowed())
                .collect()
        } else {
            Vec::new()
        };
        Ok(CaseDetail {
            possible_duplicates,
            may_request_green: !waiting && self.may_request_green(caller.session(), &case),
            green,
            handover: self.handover_for(caller.session(), &case).await?,
            fees: self.statement(caller.session(), &case).await?,
            certificate,
            events: self.store.case_events(&case.id).await?,
            files: self.store.case_files(&case.id).await?,
            steps,
            case,
        })
    }

    /// One page of a list of cases.
    pub async fn cases(
        &self,
        caller: &Caller,
        list: CaseList,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Case>, AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let categories: Vec<String>;
        let station: String;
        let scope = match list {
            CaseList::Mine => {
                self.authorize_own(caller, Action::ManageOwnAccount).await?;
                CaseScope::Applicant(&actor.user_id)
            }
            CaseList::Station => {
                let Some(code) = actor.grants.iter().find_map(|g| match g {
                    Grant::Station(s) => Some(s.clone()),
                    _ => None,
                }) else {
                    return Err(AppError::Forbidden(
                        "only a station account has a station list",
                    ));
                };
                station = code.to_string();
                CaseScope::Station(&station)
            }
            CaseList::Queue(Some(category)) => {
                let allowed = actor
                    .grants
                    .iter()
                    .any(|g| *g == Grant::DutyLeader || *g == Grant::Officer(category.clone()));
                if !allowed {
                    return Err(AppError::Forbidden(
                        "this queue belongs to another category's officers",
                    ));
                }
                categories = vec![category.to_string()];
                CaseScope::Queue(&categories)
            }
            CaseList::Queue(None) => {
                if actor.grants.contains(&Grant::DutyLeader) {
                    categories = Vec::new();
                } else {
                    categories = actor
                        .grants
                        .iter()
                        .filter_map(|g| match g {
                            Grant::Officer(c) => Some(c.to_string()),
                            _ => None,
                        })
                        .collect();
                    if categories.is_empty() {
                        return Err(AppError::Forbidden(
                            "only officers and the duty leader have a queue",
                        ));
                    }
                }
                CaseScope::Queue(&categories)
            }
        };
        if !current.is_complete() {
            return Err(AppError::SecondFactorRequired);
        }
        let page = self
            .store
            .cases(&scope, offset, limit.min(crate::MAX_PAGE))
            .await?;
        // The scope's query already limits the rows; the one policy still has the last word.
        let cases = self
            .cases_from_rows(page.items)
            .await?
            .into_iter()
            .filter(|case| decide(actor, Action::ReadCase, &case.resource()).is_allowed())
            .collect();
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items: cases,
        })
    }

    /// [`App::cases`], each with what staff see of it at a glance: its materials, its fee and
    /// its person's identity, read for the whole page at once.
    pub async fn cases_at_a_glance(
        &self,
        caller: &Caller,
        list: CaseList,
        offset: u64,
        limit: u64,
    ) -> Result<Page<CaseAtAGlance>, AppError> {
        let page = self.cases(caller, list, offset, limit).await?;
        let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
        let facts = self.store.glance_facts(&ids).await?;
        let items = page
            .items
            .into_iter()
            .map(|case| {
                let uploaded: Vec<i64> = facts
                    .uploaded
                    .iter()
                    .filter(|(id, _)| *id == case.id)
                    .map(|(_, material)| *material)
                    .collect();
                let mut fees = CaseFees::default();
                for (_, kind, amount) in facts.fees.iter().filter(|(id, ..)| *id == case.id) {
                    fees.apply(*kind, *amount);
                }
                CaseAtAGlance {
                    missing_materials: case.item.missing_materials(&uploaded),
                    fee: FeeGlance::of(&fees, case.item.fee_fen),
                    identity_verified: case.state.identity_verified(),
                    case,
                }
            })
            .collect();
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items,
        })
    }

    /// Finds a case by its number, for anyone who may read it.
    pub async fn case_id_by_number(&self, number: &str) -> Result<String, AppError> {
        let number = CaseNumber::parse(number).map_err(|e| invalid("number", e.to_string()))?;
        self.store
            .case_by_number(number.as_str())
            .await?
            .map(|r| r.id)
            .ok_or_else(|| AppError::NotFound("this case".into()))
    }
}
