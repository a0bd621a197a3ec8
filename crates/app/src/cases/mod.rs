//! Cases: filing one for an item, moving it through its workflow, listing them for the applicant,
//! the station and the bureau's queues, and their materials. The domain decides every step; the
//! store writes it with its event and audit entry in one transaction.
//!
//! `open` files a case, `read` reads one and the lists, `step` moves it through its workflow,
//! `files` its materials' uploads and downloads, `status` what someone without an account sees of
//! one with a code sent to its applicant.

mod files;
mod open;
mod read;
mod status;
mod step;

pub use crate::calendar::beijing_today;
pub use files::{CaseFileContent, Upload};
pub use open::{CaseRequest, check_person_details};
pub use qiaoyi_domain::fees::FeeGlance;
pub use read::{CaseAtAGlance, CaseDetail, CaseList};
pub use status::{CaseStatus, STATUS_CODE_VALID_MS};
pub use step::StepRequest;

use jiff::civil::Date;
use qiaoyi_domain::access::Resource;
use qiaoyi_domain::cases::{CaseState, Channel, Relation, is_minor, is_senior};
use qiaoyi_domain::catalog::{Delivery, Item, StationCode, Workflow};
use qiaoyi_domain::failure::Reason;

use crate::AppError;

/// A case, parsed.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub number: String,
    pub item: Item,
    pub state: CaseState,
    pub channel: Channel,
    pub applicant_id: Option<String>,
    pub filed_by: String,
    pub station: Option<StationCode>,
    pub version: i64,
    pub person_name: String,
    pub person_name_latin: String,
    pub birth_date: Date,
    pub relation: Relation,
    pub delivery: Delivery,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub deadline: Option<Date>,
    /// The deadline counts days of a year whose official calendar is not imported yet: the State
    /// Council's notice may still move it.
    pub deadline_provisional: bool,
    pub reason: String,
    /// Filed by an agent for the applicant under this mandate.
    pub mandate_id: Option<String>,
    /// Due by this working day through the green channel: it heads every queue.
    pub green_due: Option<Date>,
    /// The green-channel due day is provisional, as `deadline_provisional`.
    pub green_due_provisional: bool,
}

impl Case {
    pub fn workflow(&self) -> Workflow {
        self.item.workflow
    }

    pub fn is_minor(&self, today: Date) -> bool {
        is_minor(self.birth_date, today)
    }

    pub fn is_senior(&self, today: Date) -> bool {
        is_senior(self.birth_date, today)
    }

    /// Past its deadline while still with the bureau.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.state.is_with_bureau()
            && !matches!(
                self.state,
                CaseState::Ready | CaseState::Dispatched | CaseState::Delivered
            )
            && self.deadline.is_some_and(|d| d < today)
    }

    pub(crate) fn resource(&self) -> Resource<'_> {
        Resource::Case {
            id: &self.id,
            applicant: self.applicant_id.as_deref().unwrap_or_default(),
            agent: self.agent(),
            filed_by: &self.filed_by,
            station: self.station.as_ref(),
            category: &self.item.category,
        }
    }

    /// The room of this case's video check held by `officer`, for a caller who is (or is not) a
    /// registered participant.
    pub(crate) fn video_room<'a>(&'a self, officer: &'a str, participant: bool) -> Resource<'a> {
        Resource::VideoRoom {
            case: &self.id,
            officer,
            applicant: self.applicant_id.as_deref().unwrap_or_default(),
            agent: self.agent(),
            filed_by: &self.filed_by,
            station: self.station.as_ref(),
            participant,
        }
    }

    /// The agent who filed it under a mandate; empty otherwise.
    fn agent(&self) -> &str {
        if self.mandate_id.is_some() {
            &self.filed_by
        } else {
            ""
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: message.into(),
    }
}
