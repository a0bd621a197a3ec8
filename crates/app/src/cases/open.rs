//! Opening a case: who the person is (typed in, or someone from the filer's list), how the
//! document is delivered, and the channel, which follows from who files it (an applicant online, a
//! station for a person at its station, a consultant at the window, an agent under a mandate).

use jiff::civil::Date;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Grant, Resource};
use qiaoyi_domain::cases::{Channel, Relation, is_senior};
use qiaoyi_domain::catalog::Delivery;
use qiaoyi_store::NewCase;

use qiaoyi_domain::failure::Reason;

use super::{Case, invalid};
use crate::accounts::random_hex;
use crate::calendar::beijing_today;
use crate::persons::Person;
use crate::{App, AppError, Caller};

/// How many cases under way for one service and person are looked at as its possible
/// duplicates: enough for any family, and a bound on what each application and each case page
/// reads when someone applies again and again.
pub const MAX_POSSIBLE_DUPLICATES: u64 = 20;

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
    /// Warned that a case for the same service and person is under way, she applies anyway.
    pub duplicate_ok: bool,
}

const MAX_NAME: usize = 100;

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

impl App {
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
        let (on_file, request) = self.as_filed(caller, request).await?;
        let request = &request;
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
            filed_by: &actor.user_id,
            station: station.as_ref(),
            category: &item.category,
        };
        self.authorize(caller, Action::SubmitCase, &resource)
            .await?;
        if !request.duplicate_ok {
            let filer = &actor.user_id;
            let earlier = self
                .store
                .cases_under_way_like(
                    &item.code.to_string(),
                    &person_name,
                    birth_date,
                    MAX_POSSIBLE_DUPLICATES,
                )
                .await?;
            // Only her own cases (filed by her or hers): another account's are not named to her;
            // officers see every possible duplicate on the cases themselves.
            if let Some(earlier) = earlier.iter().find(|c| c.is_hers(filer)) {
                return Err(AppError::refused(
                    "duplicate_ok",
                    Reason::Duplicate,
                    format!(
                        "{person_name} already has case {} under way for this service: open it, \
                         or send again with duplicate_ok to apply anyway",
                        earlier.number
                    ),
                ));
            }
        }
        let id = format!("c-{}", random_hex(12));
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::CaseOpened,
            (AuditSubject::Case, &id),
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
            workflow: item.workflow,
            applicant_id,
            filed_by: actor.user_id.clone(),
            station,
            channel,
            person_name,
            person_name_latin,
            person_birth_date: birth_date,
            relation,
            delivery,
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

    /// The request as it would be filed: a person from the filer's list replaces the details
    /// typed in.
    async fn as_filed(
        &self,
        caller: &Caller,
        request: &CaseRequest,
    ) -> Result<(Option<Person>, CaseRequest), AppError> {
        let on_file = match request.person.trim() {
            "" => None,
            id => Some(self.my_person(caller, id).await.map_err(|e| match e {
                AppError::NotFound(_) => invalid("person", "choose someone from your list"),
                other => other,
            })?),
        };
        let request = match &on_file {
            Some(p) => CaseRequest {
                person_name: p.name.clone(),
                person_name_latin: p.name_latin.clone(),
                birth_date: p.birth_date.to_string(),
                relation: p.relation.as_str().into(),
                ..request.clone()
            },
            None => request.clone(),
        };
        Ok((on_file, request))
    }

    /// The caller's own cases under way for the same service and person as `request`: what
    /// [`App::open_case`] refuses as a possible duplicate until `duplicate_ok` is set, for the
    /// page that warns her to link them. Another account's cases are never named to her.
    pub async fn my_possible_duplicates(
        &self,
        caller: &Caller,
        request: &CaseRequest,
    ) -> Result<Vec<Case>, AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let (_, request) = self.as_filed(caller, request).await?;
        let today = beijing_today(caller.now);
        let (Ok(name), Ok(born)) = (
            name_checked("person_name", &request.person_name, true),
            birth_date_checked(&request.birth_date, today),
        ) else {
            return Ok(Vec::new());
        };
        let filer = &current.actor.user_id;
        let mine = self
            .store
            .cases_under_way_like(request.item.trim(), &name, born, MAX_POSSIBLE_DUPLICATES)
            .await?
            .into_iter()
            .filter(|row| row.is_hers(filer))
            .collect();
        self.cases_from_rows(mine).await
    }
}
