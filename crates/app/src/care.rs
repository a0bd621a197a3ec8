//! The care programme for children whose parents work abroad (留守儿童关爱): coordinators record a
//! child with a parent's or guardian's consent, read the children's records and record home
//! visits; a parent abroad follows her own child and its visits. Children's names, villages, the guardian at home and who consented are
//! sealed by the vault; every read of a child's record is audited, and so is every refusal.

use qiaoyi_domain::failure::Reason;

use crate::FieldProblem;
use std::sync::LazyLock;

use qiaoyi_domain::access::{Action, Actor, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::care::{ActivitySummary, ParentAbroad, Wish};
use qiaoyi_domain::care::{
    CONSENT_VERSION, ChildInput as Checked, Topic, Township, check_child, check_visit,
    language_mask, language_names, parse_townships,
};
use qiaoyi_store::{ChildRow, Page, VisitRow};

use crate::accounts::random_hex;
use crate::care_board::CareMessage;
use crate::care_pairing::Pairing;
use crate::cases::beijing_today;
use crate::{App, AppError, Caller};

/// The reference deployment's townships (`catalog/care/townships.toml`), read once.
static TOWNSHIPS: LazyLock<Vec<Township>> = LazyLock::new(|| {
    crate::catalog_source::reference_file("care/townships.toml")
        .and_then(|text| parse_townships(text).ok())
        .unwrap_or_default()
});

/// A parent abroad to link to a child: the e-mail of her applicant account and her country.
#[derive(Clone, Debug, Default)]
pub struct ParentInput {
    pub email: String,
    pub country: String,
}

/// What a coordinator fills in to record a child.
#[derive(Clone, Debug, Default)]
pub struct ChildRequest {
    pub name: String,
    pub birth_date: String,
    pub township: String,
    pub village: String,
    pub school: String,
    pub guardian: String,
    pub languages: Vec<String>,
    /// The consent text's version the guardian agreed to (the form carries the one it showed).
    pub consent_version: String,
    pub consent_by: String,
    pub consent_relation: String,
    pub photo_allowed: bool,
    pub parents: Vec<ParentInput>,
}

/// A child's record, opened.
#[derive(Clone, Debug)]
pub struct Child {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub age: i16,
    pub township: String,
    pub village: String,
    pub school: String,
    pub guardian: String,
    pub languages: Vec<&'static str>,
    pub consent_version: i64,
    pub consent_by: String,
    pub consent_relation: String,
    pub consented_at: i64,
    pub photo_allowed: bool,
    pub parents: Vec<ParentAbroad>,
    /// The volunteer the family asked for as proxy parent, by account.
    pub preferred_volunteer: Option<String>,
    /// On a child's own record only: home visits, newest first; her pairings, the one in force
    /// first; her wishes, the activities she came to and the messages to her proxy parent.
    pub visits: Vec<Visit>,
    pub pairings: Vec<Pairing>,
    pub wishes: Vec<Wish>,
    pub activities: Vec<ActivitySummary>,
    pub messages: Vec<CareMessage>,
}

impl Child {
    /// Her pairing in force, if she has a proxy parent.
    pub fn proxy_parent(&self) -> Option<&Pairing> {
        self.pairings.iter().find(|p| p.row.ended_at.is_none())
    }
}

/// A home visit, opened.
#[derive(Clone, Debug)]
pub struct Visit {
    pub date: String,
    pub topics: Vec<Topic>,
    pub notes: String,
    pub follow_up: bool,
    pub volunteer: String,
}

/// A home visit the signed-in volunteer recorded, kept for her after the child is paired with
/// someone else: the visit and the child's name, nothing more of her record.
#[derive(Clone, Debug)]
pub struct WrittenVisit {
    pub child_id: String,
    pub child_name: String,
    /// Whether she is the child's proxy parent still (then the child's record is hers to open).
    pub paired_now: bool,
    pub visit: Visit,
}

/// What a proxy parent or coordinator records of a home visit.
#[derive(Clone, Debug, Default)]
pub struct VisitInput {
    pub date: String,
    pub topics: Vec<String>,
    pub notes: String,
    pub follow_up: bool,
}

/// A care rule's refusal, naming its field.
pub(crate) fn invalid(e: qiaoyi_domain::care::CareError) -> AppError {
    AppError::Invalid {
        field: e.field(),
        reason: e.reason(),
        message: e.to_string(),
    }
}

/// A care error as one refused field of a form.
fn problem(e: &qiaoyi_domain::care::CareError) -> FieldProblem {
    FieldProblem {
        field: e.field(),
        reason: e.reason(),
        message: e.to_string(),
    }
}

impl App {
    /// Checks the signed-in user coordinates the care programme (its children as a whole:
    /// the list, recording, pairing, activities), the refusal audited, and returns her. What
    /// she then sees is her area's: see [`App::care_area`].
    pub async fn care_coordinator<'s>(&self, caller: &'s Caller) -> Result<&'s Actor, AppError> {
        self.authorize(caller, Action::CoordinateCare, &Resource::System)
            .await?;
        Ok(&caller.session().ok_or(AppError::Unauthenticated)?.actor)
    }

    /// Checks the signed-in user coordinates the care programme in `township` (a child to record
    /// there, an activity held there, a child of it to pair), the refusal audited.
    pub(crate) async fn coordinating_in<'s>(
        &self,
        caller: &'s Caller,
        township: &str,
    ) -> Result<&'s Actor, AppError> {
        self.authorize(
            caller,
            Action::CoordinateCare,
            &Resource::Township { name: township },
        )
        .await?;
        Ok(&caller.session().ok_or(AppError::Unauthenticated)?.actor)
    }

    /// The townships whose children a coordinator's lists show: `None` for the whole county.
    pub(crate) fn care_area(&self, actor: &Actor) -> Option<Vec<String>> {
        qiaoyi_domain::access::care_reach(actor)
    }

    /// Checks the signed-in user may care for one child: a coordinator of her township, or the
    /// volunteer paired with her now (a volunteer re-paired away loses her at once). The refusal
    /// is audited; a child that does not exist is refused the same way to all but the county's
    /// coordinators.
    pub(crate) async fn care_for_child<'s>(
        &self,
        caller: &'s Caller,
        child_id: &str,
    ) -> Result<&'s Actor, AppError> {
        let volunteer = self
            .store
            .pairings_of_child(child_id)
            .await?
            .into_iter()
            .find(|p| p.ended_at.is_none())
            .map(|p| p.volunteer_id)
            .unwrap_or_default();
        let township = self
            .store
            .child(child_id)
            .await?
            .map(|c| c.township)
            .unwrap_or_default();
        self.authorize(
            caller,
            Action::CareForChild,
            &Resource::Child {
                id: child_id,
                volunteer: &volunteer,
                township: &township,
            },
        )
        .await?;
        Ok(&caller.session().ok_or(AppError::Unauthenticated)?.actor)
    }

    /// Whether `actor` coordinates the programme (rather than only volunteering in it).
    pub fn coordinates_care(&self, actor: &Actor) -> bool {
        qiaoyi_domain::access::decide(actor, Action::CoordinateCare, &Resource::System).is_allowed()
    }

    /// Checks the signed-in user serves in the care programme, as a coordinator or a volunteer.
    pub(crate) async fn serving_in_care<'s>(
        &self,
        caller: &'s Caller,
    ) -> Result<&'s Actor, AppError> {
        self.authorize(caller, Action::ServeInCare, &Resource::System)
            .await?;
        Ok(&caller.session().ok_or(AppError::Unauthenticated)?.actor)
    }

    /// The county's townships, for the form's list and pairing by distance.
    pub fn townships(&self) -> &'static [Township] {
        &TOWNSHIPS
    }

    fn open_child(
        &self,
        row: ChildRow,
        parents: Vec<ParentAbroad>,
        now: i64,
    ) -> Result<Child, AppError> {
        let open = |field: &str, sealed: &str| {
            if sealed.is_empty() {
                Ok(String::new())
            } else {
                self.vault.open(&format!("care:{field}:{}", row.id), sealed)
            }
        };
        let birth = row.birth_date;
        Ok(Child {
            name: open("name", &row.name_sealed)?,
            village: open("village", &row.village_sealed)?,
            guardian: open("guardian", &row.guardian_sealed)?,
            consent_by: open("consent_by", &row.consent_by_sealed)?,
            age: qiaoyi_domain::cases::age_on(birth, beijing_today(now)),
            languages: language_names(u64::try_from(row.languages).unwrap_or(0)),
            id: row.id,
            birth_date: row.birth_date.to_string(),
            township: row.township,
            school: row.school,
            consent_version: row.consent_version,
            consent_relation: row.consent_relation,
            consented_at: row.consented_at,
            photo_allowed: row.photo_allowed,
            preferred_volunteer: row.preferred_volunteer,
            parents,
            visits: Vec::new(),
            pairings: Vec::new(),
            wishes: Vec::new(),
            activities: Vec::new(),
            messages: Vec::new(),
        })
    }

    fn open_visits(&self, rows: Vec<VisitRow>) -> Result<Vec<Visit>, AppError> {
        rows.into_iter()
            .map(|v| {
                Ok(Visit {
                    notes: if v.notes_sealed.is_empty() {
                        String::new()
                    } else {
                        self.vault
                            .open(&format!("care:visit:{}", v.id), &v.notes_sealed)?
                    },
                    topics: v.topics.split(' ').filter_map(Topic::parse).collect(),
                    date: v.visit_date.to_string(),
                    follow_up: v.follow_up,
                    volunteer: v.volunteer_name,
                })
            })
            .collect()
    }

    /// The visits the signed-in volunteer (or coordinator) recorded, newest first, including
    /// those to children since paired with someone else. Each child's visits read are audited
    /// as read of that child, so her parents see it in their access log.
    pub async fn my_written_visits(&self, caller: &Caller) -> Result<Vec<WrittenVisit>, AppError> {
        let me = self.serving_in_care(caller).await?;
        let written = self.store.visits_written_by(&me.user_id).await?;
        let paired: Vec<String> = self
            .store
            .pairings_in_force(&me.user_id)
            .await?
            .into_iter()
            .map(|p| p.child_id)
            .collect();
        let mut children: Vec<&str> = written.iter().map(|(v, _)| v.child_id.as_str()).collect();
        children.sort_unstable();
        children.dedup();
        for child in children {
            let record = self.audit_record(
                Some(me),
                AuditEvent::CareOwnVisitsRead,
                (AuditSubject::Child, child),
                "ok",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
        }
        let mut visits = Vec::with_capacity(written.len());
        for (row, name_sealed) in written {
            let child_id = row.child_id.clone();
            let visit = self.open_visits(vec![row])?.remove(0);
            visits.push(WrittenVisit {
                child_name: self.open_child_name(&child_id, &name_sealed)?,
                paired_now: paired.contains(&child_id),
                child_id,
                visit,
            });
        }
        Ok(visits)
    }

    /// Records a home visit to a child (her proxy parent or a coordinator of her township): not in the future, not before her birth,
    /// with at least one topic; the notes are sealed.
    pub async fn record_visit(
        &self,
        caller: &Caller,
        child_id: &str,
        input: &VisitInput,
    ) -> Result<Visit, AppError> {
        let actor = self.care_for_child(caller, child_id).await?;
        let child = self
            .store
            .child(child_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this child".into()))?;
        let birth = child.birth_date;
        let topics: Vec<&str> = input.topics.iter().map(String::as_str).collect();
        let visit = check_visit(
            &input.date,
            &topics,
            &input.notes,
            input.follow_up,
            birth,
            beijing_today(caller.now),
        )
        .map_err(invalid)?;
        let id = format!("cv-{}", random_hex(12));
        let row = VisitRow {
            notes_sealed: if visit.notes.is_empty() {
                String::new()
            } else {
                self.vault.seal(&format!("care:visit:{id}"), &visit.notes)
            },
            id,
            child_id: child.id.clone(),
            volunteer_id: actor.user_id.clone(),
            volunteer_name: String::new(),
            visit_date: visit.date,
            topics: visit
                .topics
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            follow_up: visit.follow_up,
            recorded_at: caller.now,
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::CareVisitRecorded,
            (AuditSubject::Child, &child.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = row.visit_date.to_string();
        self.store.insert_visit(&row, &record).await?;
        Ok(Visit {
            date: row.visit_date.to_string(),
            topics: visit.topics,
            notes: visit.notes,
            follow_up: visit.follow_up,
            volunteer: self
                .store
                .user_by_id(&actor.user_id)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
        })
    }

    /// The parents a coordinator links to a child: accounts found by address (a disabled one is
    /// not), each with the country she lives in, at most two.
    async fn child_parents(
        &self,
        request: &ChildRequest,
    ) -> Result<Vec<(String, String)>, AppError> {
        let refused = |message: &str| AppError::Invalid {
            field: "parents",
            reason: Reason::Malformed,
            message: message.into(),
        };
        let mut parents = Vec::new();
        for parent in request
            .parents
            .iter()
            .filter(|p| !p.email.trim().is_empty())
        {
            let country = parent.country.trim().to_uppercase();
            if !qiaoyi_domain::country::is_iso_alpha2(&country) {
                return Err(refused(
                    "give each parent's country as a two-letter code such as IT",
                ));
            }
            let user = self
                .store
                .user_by_email(&parent.email.trim().to_lowercase())
                .await?
                .filter(|u| u.disabled_at.is_none())
                .ok_or_else(|| {
                    refused(
                        "no account uses a parent's address: she signs up first, or leave it empty",
                    )
                })?;
            if !parents.iter().any(|(id, _)| *id == user.id) {
                parents.push((user.id, country));
            }
        }
        if parents.len() > 2 {
            return Err(refused("link at most two parents"));
        }
        Ok(parents)
    }

    /// Records a child (a coordinator of her township), with a parent's or guardian's consent to the current
    /// consent text and her parents abroad by their applicant accounts.
    pub async fn record_child(
        &self,
        caller: &Caller,
        request: &ChildRequest,
    ) -> Result<Child, AppError> {
        let actor = self.care_coordinator(caller).await?;
        // Every field is checked before any is refused, so one answer names every mistake.
        let mut problems = Vec::new();
        let checked = check_child(
            &Checked {
                name: &request.name,
                birth_date: &request.birth_date,
                township: &request.township,
                village: &request.village,
                school: &request.school,
                guardian: &request.guardian,
                consent_version: request.consent_version.trim().parse().unwrap_or(0),
                consent_by: &request.consent_by,
                consent_relation: &request.consent_relation,
            },
            CONSENT_VERSION,
            beijing_today(caller.now),
        )
        .map_err(|errors| problems.extend(errors.iter().map(problem)))
        .ok();
        let township = request.township.trim();
        if !township.is_empty()
            && !problems.iter().any(|p| p.field == "township")
            && !self.townships().iter().any(|t| t.name == township)
        {
            problems.push(problem(&qiaoyi_domain::care::CareError::UnknownTownship));
        }
        let names: Vec<&str> = request.languages.iter().map(String::as_str).collect();
        let languages = AppError::keep(&mut problems, language_mask(&names).map_err(invalid))?;
        let parents = AppError::keep(&mut problems, self.child_parents(request).await)?;
        // In the form's order, whichever check found them.
        const ORDER: [&str; 8] = [
            "name",
            "birth_date",
            "township",
            "village",
            "guardian",
            "languages",
            "parents",
            "consent",
        ];
        problems.sort_by_key(|p| ORDER.iter().position(|f| *f == p.field));
        AppError::fields(problems)?;
        let (Some(checked), Some(languages), Some(parents)) = (checked, languages, parents) else {
            return Err(AppError::Internal("a checked field has no value".into()));
        };
        self.coordinating_in(caller, &checked.township).await?;
        let id = format!("ch-{}", random_hex(12));
        let seal = |field: &str, plain: &str| {
            if plain.is_empty() {
                String::new()
            } else {
                self.vault.seal(&format!("care:{field}:{id}"), plain)
            }
        };
        let row = ChildRow {
            name_sealed: seal("name", &checked.name),
            birth_date: checked.birth_date,
            township: checked.township,
            village_sealed: seal("village", &checked.village),
            school: checked.school,
            guardian_sealed: seal("guardian", &checked.guardian),
            languages: i64::try_from(languages).unwrap_or(0),
            consent_version: i64::from(CONSENT_VERSION),
            consent_by_sealed: seal("consent_by", request.consent_by.trim()),
            consent_relation: request.consent_relation.trim().into(),
            consented_at: caller.now,
            photo_allowed: request.photo_allowed,
            recorded_by: actor.user_id.clone(),
            created_at: caller.now,
            preferred_volunteer: None,
            id: id.clone(),
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::CareChildRecorded,
            (AuditSubject::Child, &id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("consent v{CONSENT_VERSION}");
        self.store.insert_child(&row, &parents, &record).await?;
        let parents = self.store.child_parents(&id).await?;
        self.open_child(row, parents, caller.now)
    }

    /// The children, newest first, one township or all: the children of her area for a
    /// coordinator, the children she is paired with now for a volunteer. The read is audited.
    pub async fn care_children(
        &self,
        caller: &Caller,
        township: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Child>, AppError> {
        let actor = self.serving_in_care(caller).await?;
        let (volunteer, area) = if self.coordinates_care(actor) {
            ("", self.care_area(actor))
        } else {
            (actor.user_id.as_str(), None)
        };
        let page = self
            .store
            .children(
                township.trim(),
                volunteer,
                area.as_deref(),
                offset,
                limit.clamp(1, 100),
            )
            .await?;
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::CareChildrenRead,
            (AuditSubject::Child, ""),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} children listed", page.items.len());
        self.store.audit(&record).await?;
        let items = page
            .items
            .into_iter()
            .map(|row| self.open_child(row, Vec::new(), caller.now))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total: page.total,
            offset: page.offset,
        })
    }

    /// One child's record (a coordinator of her township, or her proxy parent). Every read is audited; a refusal is audited too, and
    /// a child that does not exist is not told apart from one the reader may not see.
    pub async fn care_child(&self, caller: &Caller, id: &str) -> Result<Child, AppError> {
        let actor = self.care_for_child(caller, id).await?;
        let row = self
            .store
            .child(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this child".into()))?;
        let record = self.audit_record(
            Some(actor),
            AuditEvent::CareChildRead,
            (AuditSubject::Child, id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.audit(&record).await?;
        let parents = self.store.child_parents(id).await?;
        let mut child = self.open_child(row, parents, caller.now)?;
        self.follow(&mut child, caller.now).await?;
        Ok(child)
    }

    /// Fills in what is followed of a child: visits, pairings, wishes, activities and messages.
    async fn follow(&self, child: &mut Child, now: i64) -> Result<(), AppError> {
        let id = child.id.as_str();
        child.visits = self.open_visits(self.store.visits_of_child(id).await?)?;
        child.pairings = self.pairings_of(id, now).await?;
        child.wishes = self.store.wishes_of_child(id).await?;
        child.activities = self.store.activities_of_child(id).await?;
        child.messages = self.care_messages_of(id).await?;
        Ok(())
    }

    /// Checks the signed-in parent abroad follows `child_id` and returns her id. Any other child
    /// is refused (audited) exactly as one that does not exist.
    pub(crate) async fn own_child<'s>(
        &self,
        caller: &'s Caller,
        child_id: &str,
    ) -> Result<&'s str, AppError> {
        let me = self.authorize_own(caller, Action::FollowOwnChild).await?;
        if self
            .store
            .children_of_parent(me)
            .await?
            .iter()
            .any(|c| c.id == child_id)
        {
            return Ok(me);
        }
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let record = self.audit_record(
            Some(actor),
            Action::FollowOwnChild,
            (AuditSubject::Child, child_id),
            "denied",
            &caller.client,
            caller.now,
        );
        self.store.audit(&record).await?;
        Err(AppError::Forbidden("this child is not yours"))
    }

    /// The children of the signed-in parent abroad (never anyone else's); the read is audited.
    pub async fn my_children(&self, caller: &Caller) -> Result<Vec<Child>, AppError> {
        let me = self.authorize_own(caller, Action::FollowOwnChild).await?;
        let rows = self.store.children_of_parent(me).await?;
        if !rows.is_empty() {
            let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
            let mut record = self.audit_record(
                Some(actor),
                AuditEvent::CareOwnChildrenRead,
                (AuditSubject::Child, ""),
                "ok",
                &caller.client,
                caller.now,
            );
            record.purpose = rows
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            self.store.audit(&record).await?;
        }
        let mut children = Vec::new();
        for row in rows {
            // A parent sees her child and what is done for her, not the other parent's account.
            let mut child = self.open_child(row, Vec::new(), caller.now)?;
            self.follow(&mut child, caller.now).await?;
            // Only the proxy parent in force, not the history of who was paired before nor who
            // paired them; and only her own messages, not the other parent's.
            child.pairings.retain(|p| p.row.ended_at.is_none());
            for pairing in &mut child.pairings {
                pairing.row.paired_by = String::new();
            }
            child.messages.retain(|m| m.from_user == me);
            children.push(child);
        }
        Ok(children)
    }
}
