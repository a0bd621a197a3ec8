//! Cases: filing one for an item, moving it through its workflow, listing them for the applicant,
//! the station and the bureau's queues, and their materials. The domain decides every step; the
//! store writes it with its event and audit entry in one transaction.

use jiff::civil::Date;
use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{Action, Grant, Resource, allowing_grant, decide};
use qiaoyi_domain::cases::{
    CaseNumber, CaseState, Channel, MediaType, Relation, Step, check_upload, is_minor, is_senior,
    safe_file_name, steps_from, transition,
};
use qiaoyi_domain::catalog::{CategoryCode, Delivery, Item, StationCode, Workflow};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{CaseEventRow, CaseFileRow, CaseRow, CaseScope, CaseStep, NewCase, Page};

use crate::accounts::random_hex;
use crate::{App, AppError, Caller};

/// What a person fills in to open a case.
#[derive(Clone, Debug, Default)]
pub struct CaseRequest {
    pub item: String,
    pub person_name: String,
    pub person_name_latin: String,
    pub birth_date: String,
    pub relation: String,
    pub delivery: String,
    /// Stations and consultants: the e-mail address of the person's account, when they have one.
    pub applicant_email: String,
    /// A person from the filer's list (`/account/people`); their details replace the typed ones.
    pub person: String,
    /// An agent filing for a principal (代办): the mandate's id. The case becomes the principal's.
    pub mandate: String,
}

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
            agent: if self.mandate_id.is_some() {
                &self.filed_by
            } else {
                ""
            },
            station: self.station.as_ref(),
            category: &self.item.category,
        }
    }
}

/// A case with its timeline, its files and the steps the viewer may take now.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    pub case: Case,
    pub events: Vec<CaseEventRow>,
    pub files: Vec<CaseFileRow>,
    pub steps: Vec<Step>,
    /// How the document was sent, and the handover code for the person who receives it.
    pub handover: Option<crate::handover::Handover>,
    /// What is due, paid and refunded, and which fee entries the viewer may record.
    pub fees: crate::fees::FeeStatement,
    /// The certificate a certificate case issued, with what verification says of it now.
    pub certificate: Option<crate::certificates::Certificate>,
    /// Green-channel requests on the case, newest first, and whether the reader may ask for one.
    pub green: Vec<qiaoyi_store::GreenRequestListing>,
    pub may_request_green: bool,
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

/// One step someone asks for, with the version of the case they saw.
#[derive(Clone, Debug, Default)]
pub struct StepRequest {
    pub step: String,
    pub expected_version: i64,
    /// Required when returning for materials or refusing; shown to the applicant.
    pub reason: String,
    /// Dispatch by courier: the carrier and tracking number; to the home: the visit day.
    pub carrier: String,
    pub tracking: String,
    pub visit_date: String,
    /// Delivery after a dispatch: the one-time code the applicant shows.
    pub code: String,
    /// Home delivery instead of the code: the recipient's signature (strokes in the text form of
    /// `domain::cases::signature`) and the name she signs with.
    pub signature: String,
    pub signer: String,
}

/// A file sent for one of the item's materials (numbered from 0 in the item's order).
#[derive(Clone, Debug)]
pub struct Upload<'a> {
    pub material: usize,
    pub file_name: &'a str,
    pub content: &'a [u8],
}

/// An uploaded file's bytes, for a download.
#[derive(Clone, Debug)]
pub struct CaseFileContent {
    pub file: CaseFileRow,
    pub content: Vec<u8>,
}

const MAX_NAME: usize = 100;
const MAX_REASON: usize = 1000;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: message.into(),
    }
}

/// Today in Beijing, where the bureau's working days are counted.
pub fn beijing_today(now_ms: i64) -> Date {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or_default()
        .to_zoned(tz)
        .date()
}

fn name_checked(field: &'static str, text: &str, required: bool) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() && required {
        return Err(invalid(
            field,
            "enter the name as it is written on the identity document",
        ));
    }
    if text.chars().count() > MAX_NAME || text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("a name has at most {MAX_NAME} characters and no line breaks"),
        ));
    }
    Ok(text.to_owned())
}

/// The checks [`App::open_case`] makes of a typed-in person (name, Latin name, birth date), for
/// forms that ask for them on a page of their own before the case is opened.
pub fn check_person_details(request: &CaseRequest, now: i64) -> Result<(), AppError> {
    name_checked("person_name", &request.person_name, true)?;
    name_checked("person_name_latin", &request.person_name_latin, false)?;
    birth_date_checked(&request.birth_date, beijing_today(now))?;
    Ok(())
}

fn birth_date_checked(text: &str, today: Date) -> Result<Date, AppError> {
    let date: Date = text.trim().parse().map_err(|_| {
        invalid(
            "birth_date",
            "enter a real date as YYYY-MM-DD, e.g. 1958-03-15",
        )
    })?;
    if date > today || date.year() < 1900 {
        return Err(invalid(
            "birth_date",
            "the birth date cannot be in the future or before 1900",
        ));
    }
    Ok(date)
}

fn reason_checked(step: Step, text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if step.needs_reason() && text.chars().count() < 4 {
        return Err(invalid(
            "reason",
            "say why, in words the applicant will understand (at least 4 characters)",
        ));
    }
    if text.chars().count() > MAX_REASON {
        return Err(invalid(
            "reason",
            format!("keep the reason under {MAX_REASON} characters"),
        ));
    }
    Ok(text.to_owned())
}

fn parse_row(row: CaseRow, item: Item) -> Result<Case, AppError> {
    let corrupt = |what: &str| {
        AppError::Store(qiaoyi_store::StoreError::CorruptRow {
            table: "cases",
            key: row.id.clone(),
            reason: format!("{what} cannot be read"),
        })
    };
    Ok(Case {
        state: CaseState::parse(&row.state).ok_or_else(|| corrupt("state"))?,
        channel: Channel::parse(&row.channel).ok_or_else(|| corrupt("channel"))?,
        station: row
            .station
            .as_deref()
            .map(|s| s.parse().map_err(|_| corrupt("station")))
            .transpose()?,
        birth_date: row
            .person_birth_date
            .parse()
            .map_err(|_| corrupt("birth date"))?,
        relation: Relation::parse(&row.relation).ok_or_else(|| corrupt("relation"))?,
        delivery: Delivery::parse(&row.delivery).ok_or_else(|| corrupt("delivery"))?,
        deadline: row
            .deadline
            .as_deref()
            .map(|d| d.parse().map_err(|_| corrupt("deadline")))
            .transpose()?,
        green_due: row
            .green_due
            .as_deref()
            .map(|d| d.parse().map_err(|_| corrupt("green_due")))
            .transpose()?,
        deadline_provisional: row.deadline_provisional,
        green_due_provisional: row.green_due_provisional,
        id: row.id,
        number: row.number,
        item,
        applicant_id: row.applicant_id,
        filed_by: row.filed_by,
        version: row.version,
        person_name: row.person_name,
        person_name_latin: row.person_name_latin,
        created_at: row.created_at,
        updated_at: row.updated_at,
        submitted_at: row.submitted_at,
        accepted_at: row.accepted_at,
        reason: row.reason,
        mandate_id: row.mandate_id,
    })
}

impl App {
    pub(crate) async fn load_case(&self, id: &str) -> Result<Case, AppError> {
        let row = self
            .store
            .case_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("case {id}")))?;
        let item = self.item(&row.item_code).await?;
        parse_row(row, item)
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
                parse_row(row, item)
            })
            .collect()
    }

    /// A case the signed-in user may read; "not found" for a case that does not exist.
    pub(crate) async fn readable_case(&self, caller: &Caller, id: &str) -> Result<Case, AppError> {
        let case = self.load_case(id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize(caller, Action::ReadCase, &case.resource())
            .await?;
        Ok(case)
    }

    /// Opens a draft case. The channel follows from who files it: an applicant files online, a
    /// station account for a person at its station, a consultant at the window for someone (代办).
    pub async fn open_case(
        &self,
        caller: &Caller,
        request: &CaseRequest,
    ) -> Result<Case, AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let item = self
            .item(request.item.trim())
            .await
            .map_err(|_| invalid("item", "choose a service from the catalogue"))?;
        let today = beijing_today(caller.now);
        let on_file = match request.person.trim() {
            "" => None,
            id => Some(self.my_person(caller, id).await.map_err(|e| match e {
                AppError::NotFound(_) => invalid("person", "choose someone from your list"),
                other => other,
            })?),
        };
        let request = &match &on_file {
            Some(p) => CaseRequest {
                person_name: p.name.clone(),
                person_name_latin: p.name_latin.clone(),
                birth_date: p.birth_date.to_string(),
                relation: p.relation.as_str().into(),
                ..request.clone()
            },
            None => request.clone(),
        };
        let person_name = name_checked("person_name", &request.person_name, true)?;
        let person_name_latin =
            name_checked("person_name_latin", &request.person_name_latin, false)?;
        let birth_date = birth_date_checked(&request.birth_date, today)?;
        let relation = Relation::parse(request.relation.trim())
            .ok_or_else(|| invalid("relation", "say who the application is for"))?;
        let delivery = Delivery::parse(request.delivery.trim())
            .filter(|d| item.delivery.contains(d))
            .ok_or_else(|| {
                invalid(
                    "delivery",
                    "choose one of the ways this service is delivered",
                )
            })?;
        let disability = on_file.as_ref().is_some_and(|p| p.disability.is_some());
        if delivery == Delivery::Home && !is_senior(birth_date, today) && !disability {
            return Err(invalid(
                "delivery",
                "home delivery is offered to people over 60 or with a recorded disability",
            ));
        }
        let station = actor.grants.iter().find_map(|g| match g {
            Grant::Station(s) => Some(s.clone()),
            _ => None,
        });
        let mandate = match request.mandate.trim() {
            "" => None,
            id => Some(
                self.mandate_for_act(actor, id, None, &item.code, caller.now)
                    .await?,
            ),
        };
        let (channel, applicant_id) = if let Some(m) = &mandate {
            let channel = if station.is_some() {
                Channel::Station
            } else if actor.has(qiaoyi_domain::access::Role::Consultant) {
                Channel::Window
            } else {
                Channel::Online
            };
            (channel, Some(m.principal.id.clone()))
        } else if actor.has(qiaoyi_domain::access::Role::Applicant)
            && request.applicant_email.trim().is_empty()
        {
            (Channel::Online, Some(actor.user_id.clone()))
        } else {
            let email = request.applicant_email.trim();
            let applicant = if email.is_empty() {
                None
            } else {
                Some(
                    self.store
                        .user_by_email(email)
                        .await?
                        .ok_or_else(|| {
                            invalid(
                                "applicant_email",
                                "no account has this e-mail address; leave it empty if the person has none",
                            )
                        })?
                        .id,
                )
            };
            let channel = if station.is_some() {
                Channel::Station
            } else {
                Channel::Window
            };
            (channel, applicant)
        };
        let station = if channel == Channel::Station {
            station
        } else {
            None
        };
        let resource = Resource::Case {
            id: "",
            applicant: applicant_id.as_deref().unwrap_or_default(),
            agent: if mandate.is_some() {
                &actor.user_id
            } else {
                ""
            },
            station: station.as_ref(),
            category: &item.category,
        };
        self.authorize(caller, Action::SubmitCase, &resource)
            .await?;
        let id = format!("c-{}", random_hex(12));
        let mut record = self.audit_record(
            Some(actor),
            "case_opened",
            ("case", &id),
            "ok",
            &caller.client,
            caller.now,
        );
        if let Some(m) = &mandate {
            record.purpose = crate::mandates::acting_for(m);
        }
        let new = NewCase {
            id: id.clone(),
            number_prefix: self.config.case_prefix.clone(),
            year: i64::from(today.year()),
            item_code: item.code.to_string(),
            category: item.category.to_string(),
            workflow: workflow_str(item.workflow).into(),
            applicant_id,
            filed_by: actor.user_id.clone(),
            station: station.map(|s| s.to_string()),
            channel: channel.as_str().into(),
            person_name,
            person_name_latin,
            person_birth_date: birth_date.to_string(),
            relation: relation.as_str().into(),
            delivery: delivery.as_str().into(),
            person_id: on_file.map(|p| p.id),
            mandate_id: mandate.as_ref().map(|m| m.id.clone()),
        };
        // The principal is told in the same transaction; her message gets the number given out.
        let told = match &mandate {
            Some(m) => {
                self.proxy_act_messages_for(
                    &m.principal.id,
                    &id,
                    crate::mandates::NUMBER_SLOT,
                    &item,
                    &actor.user_id,
                    "open",
                )
                .await?
            }
            None => Vec::new(),
        };
        let with_number = |number: &str| crate::mandates::fill_number(&told, number);
        self.store
            .create_case(&new, caller.now, &record, &with_number)
            .await?;
        self.load_case(&id).await
    }

    /// A case the signed-in user may read, with what they may do next. Staff reading someone
    /// else's case is recorded on that person's "who read my file".
    pub async fn case(&self, caller: &Caller, id: &str) -> Result<CaseDetail, AppError> {
        let case = self.load_case(id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize(caller, Action::ReadCase, &case.resource())
            .await?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let own = case.applicant_id.as_deref() == Some(actor.user_id.as_str())
            || case.filed_by == actor.user_id;
        if !own {
            let subject = match &case.applicant_id {
                Some(person) => ("person", person.as_str()),
                None => ("case", case.id.as_str()),
            };
            let mut record = self.audit_record(
                Some(actor),
                "read_case",
                subject,
                "ok",
                &caller.client,
                caller.now,
            );
            record.purpose = format!("case {}", case.number);
            self.store.audit(&record).await?;
        }
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
        let waiting = green.iter().any(|g| g.request.state == "requested");
        Ok(CaseDetail {
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

    /// What the applicant is told when the case takes `step`, by the channels they chose and in
    /// their language; nothing for a walk-in case without an account.
    async fn case_notices(
        &self,
        case: &Case,
        step: Step,
        reason: &str,
        handover: Option<&qiaoyi_store::HandoverRow>,
    ) -> Result<Vec<qiaoyi_store::NewMessage>, AppError> {
        let Some(notice) = Notice::for_step(step) else {
            return Ok(Vec::new());
        };
        self.applicant_messages(case, notice, |_, params| {
            if notice.params().contains(&"reason") {
                params.insert("reason".into(), reason.into());
            }
            if notice == Notice::CaseDispatched {
                let h = handover;
                params.insert("method".into(), case.delivery.as_str().into());
                params.insert(
                    "carrier".into(),
                    h.map(|h| h.carrier.clone()).unwrap_or_default().into(),
                );
                params.insert(
                    "tracking".into(),
                    h.map(|h| h.tracking.clone()).unwrap_or_default().into(),
                );
                params.insert(
                    "date".into(),
                    h.and_then(|h| h.visit_date.clone())
                        .unwrap_or_default()
                        .into(),
                );
            }
        })
        .await
    }

    /// Takes one step. `expected_version` is the version the person saw: if someone else moved the
    /// case since, nothing is written and the answer is a conflict naming the current state.
    pub async fn step_case(
        &self,
        caller: &Caller,
        id: &str,
        request: &StepRequest,
    ) -> Result<Case, AppError> {
        let expected_version = request.expected_version;
        let step = Step::parse(request.step.trim())
            .ok_or_else(|| invalid("step", "choose one of the steps offered on the case"))?;
        let case = self.load_case(id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize(caller, Action::ReadCase, &case.resource())
            .await
            .map_err(|e| match e {
                // A person who may act on the case may also read it; others learn nothing.
                AppError::Forbidden(_) => AppError::NotFound("this case".into()),
                other => other,
            })?;
        self.authorize(caller, step.action(), &case.resource())
            .await?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        // Acting for the applicant (sending, withdrawing) under a mandate needs it still in force;
        // the bureau's own steps do not.
        let agent = if step.action() == Action::SubmitCase {
            self.agent_act(&case, &current.actor, caller.now).await?
        } else {
            None
        };
        if case.version != expected_version {
            return Err(AppError::CaseConflict {
                state: case.state.as_str(),
                version: case.version,
            });
        }
        let to = transition(case.workflow(), case.state, step).map_err(|e| AppError::Invalid {
            field: "step",
            reason: Reason::Malformed,
            message: e.to_string(),
        })?;
        let reason = reason_checked(step, &request.reason)?;
        if step == Step::VerifyIdentity {
            self.check_video_gate(&case, caller.now).await?;
        }
        if step == Step::Submit {
            self.check_materials(&case).await?;
        }
        let deadline = if step == Step::Accept {
            Some(
                self.deadline(beijing_today(caller.now), case.item.time_limit_days)
                    .await?,
            )
        } else {
            None
        };
        let actor = &current.actor;
        let handover = if step == Step::Dispatch {
            Some(self.dispatch_record(&case, request, caller.now)?)
        } else {
            None
        };
        let confirms_handover = if step == Step::Deliver {
            self.confirm_handover(caller, &case, actor, request).await?
        } else {
            None
        };
        let role = allowing_grant(actor, step.action(), &case.resource())
            .map(|g| g.role().as_str())
            .unwrap_or_default();
        let mut record = self.audit_record(
            Some(actor),
            &format!("case_{}", step.as_str()),
            ("case", &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        if let Some(m) = &agent {
            record.purpose = crate::mandates::acting_for(m);
        }
        let mut messages = self
            .case_notices(&case, step, &reason, handover.as_ref())
            .await?;
        if agent.is_some() {
            let act = match step {
                Step::Submit | Step::Resubmit => "submit",
                other => other.as_str(),
            };
            messages.extend(self.proxy_act_messages(&case, &actor.user_id, act).await?);
        }
        let certificate = if step == Step::Issue {
            Some(self.certificate_for(&case, caller.now).await?)
        } else {
            None
        };
        let outcome = if step == Step::Close {
            Some(self.closing_outcome(&case, case.state, caller.now).await?)
        } else {
            None
        };
        let charge = if crate::fees::charges_at(step) {
            crate::fees::charge_for(&case, &actor.user_id, role, caller.now)
        } else {
            None
        };
        let written = self
            .store
            .step_case(
                &CaseStep {
                    case_id: case.id.clone(),
                    expected_version,
                    step: step.as_str().into(),
                    from_state: case.state.as_str().into(),
                    to_state: to.as_str().into(),
                    actor_id: actor.user_id.clone(),
                    role: role.into(),
                    note: reason.clone(),
                    deadline: deadline.map(|d| d.date.to_string()),
                    deadline_provisional: deadline.is_some_and(|d| d.provisional),
                    // A resubmitted case no longer shows why it was returned.
                    reason: if step.needs_reason() {
                        Some(reason)
                    } else if step == Step::Resubmit {
                        Some(String::new())
                    } else {
                        None
                    },
                    charge,
                    certificate,
                    handover,
                    confirms_handover,
                    outcome,
                },
                caller.now,
                &record,
                &messages,
            )
            .await;
        match written {
            Ok(()) => self.load_case(&case.id).await,
            Err(qiaoyi_store::StoreError::Conflict { .. }) => {
                let now_case = self.load_case(&case.id).await?;
                Err(AppError::CaseConflict {
                    state: now_case.state.as_str(),
                    version: now_case.version,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A case goes to the bureau only with a file for every required material.
    async fn check_materials(&self, case: &Case) -> Result<(), AppError> {
        let files = self.store.case_files(&case.id).await?;
        let missing: Vec<usize> = case
            .item
            .materials
            .iter()
            .enumerate()
            .filter(|(i, m)| m.required && !files.iter().any(|f| f.material == *i as i64))
            .map(|(i, _)| i + 1)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            let list: Vec<String> = missing.iter().map(usize::to_string).collect();
            Err(invalid(
                "materials",
                format!(
                    "upload every required material first; still missing: {}",
                    list.join(", ")
                ),
            ))
        }
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

    /// Adds a file for one of the case's materials, while the case is with its filer.
    pub async fn upload_case_file(
        &self,
        caller: &Caller,
        id: &str,
        upload: &Upload<'_>,
    ) -> Result<CaseFileRow, AppError> {
        let case = self.load_case(id).await?;
        self.authorize(caller, Action::SubmitCase, &case.resource())
            .await
            .map_err(|e| match e {
                AppError::Forbidden(_) => AppError::NotFound("this case".into()),
                other => other,
            })?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let agent = self.agent_act(&case, &current.actor, caller.now).await?;
        if !matches!(case.state, CaseState::Draft | CaseState::Returned) {
            return Err(AppError::refused(
                "file",
                Reason::WrongState,
                "files can be added while the case is a draft or returned for materials",
            ));
        }
        let Upload {
            material,
            file_name,
            content,
        } = *upload;
        if material >= case.item.materials.len() {
            return Err(invalid("material", "choose one of the materials listed"));
        }
        let checked = self.check_file(file_name, content)?;
        let file = CaseFileRow {
            id: format!("f-{}", random_hex(12)),
            case_id: case.id.clone(),
            material: material as i64,
            file_name: checked.name,
            media_type: checked.media_type.as_str().into(),
            size: content.len() as i64,
            sha256: checked.sha256,
            uploaded_by: current.actor.user_id.clone(),
            uploaded_at: caller.now,
        };
        let mut record = self.audit_record(
            Some(&current.actor),
            "case_file_added",
            ("case", &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        if let Some(m) = &agent {
            record.purpose = crate::mandates::acting_for(m);
        }
        let messages = match agent {
            Some(_) => {
                self.proxy_act_messages(&case, &current.actor.user_id, "upload")
                    .await?
            }
            None => Vec::new(),
        };
        self.store
            .add_case_file(&file, content, &record, &messages)
            .await?;
        Ok(file)
    }

    /// A file's bytes for someone who may read the case; the read is audited.
    pub async fn case_file(
        &self,
        caller: &Caller,
        id: &str,
        file_id: &str,
    ) -> Result<CaseFileContent, AppError> {
        let case = self.load_case(id).await?;
        self.authorize(caller, Action::ReadCase, &case.resource())
            .await?;
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            "read_case_file",
            ("case", &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("case {}", case.number);
        let (file, content) = self
            .store
            .read_case_file(&case.id, file_id, &record)
            .await?
            .ok_or_else(|| AppError::NotFound("this file".into()))?;
        Ok(CaseFileContent { file, content })
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

fn workflow_str(w: Workflow) -> &'static str {
    match w {
        Workflow::Standard => "standard",
        Workflow::Certificate => "certificate",
    }
}

/// An uploaded file that passed the checks every upload passes (cases, consultations, mandates).
pub(crate) struct CheckedFile {
    pub media_type: MediaType,
    /// The name to keep (`safe_file_name`).
    pub name: String,
    pub sha256: String,
}

impl App {
    /// A PDF, JPEG or PNG recognised by its content, within the configured size; refused on the
    /// field `file` otherwise.
    pub(crate) fn check_file(
        &self,
        file_name: &str,
        content: &[u8],
    ) -> Result<CheckedFile, AppError> {
        let media_type = check_upload(file_name, content, self.config.max_upload_mb)
            .map_err(|e| AppError::refused("file", e.reason(), e.to_string()))?;
        Ok(CheckedFile {
            media_type,
            name: safe_file_name(file_name),
            sha256: sha256_hex(content),
        })
    }
}
