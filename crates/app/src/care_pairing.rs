//! Proxy parents (代理家长): volunteers' profiles, the pairing a coordinator reviews, adjusts and
//! confirms, re-pairing that keeps the history, and the alert when a paired child goes without a
//! home visit. Coordinators pair the children of their area; the coordinator of a pairing is the one who
//! confirmed it, and she is told of its alerts with the proxy parent.

use qiaoyi_domain::access::{AuditEvent, AuditSubject};
use qiaoyi_domain::failure::Reason;
use std::collections::HashMap;

use qiaoyi_domain::care::pairing::{self, PairingError, ProxyParent};
use qiaoyi_domain::care::{
    CareError, check_volunteer, km_between, language_mask, language_names, visit_clock,
    visit_overdue,
};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewPairing, StoreError, VolunteerRow};
use serde_json::{Map, Value, json};

use crate::accounts::random_hex;
use crate::care::invalid;
use crate::cases::beijing_today;
use crate::{App, AppError, Caller};

/// What a coordinator or volunteer says of herself as a volunteer.
#[derive(Clone, Debug, Default)]
pub struct VolunteerInput {
    pub township: String,
    pub languages: Vec<String>,
    pub capacity: String,
    pub availability: String,
}

/// A coordinator's choice for one child: her proxy parent, and the id of the pairing in force it
/// replaces (empty for a waiting child), as the form showed it.
#[derive(Clone, Debug, Default)]
pub struct PairChoice {
    pub child: String,
    pub volunteer: String,
    pub replaces: String,
}

/// A volunteer's profile with her load.
#[derive(Clone, Debug)]
pub struct Volunteer {
    pub user_id: String,
    pub name: String,
    pub township: String,
    pub languages: Vec<&'static str>,
    pub capacity: i64,
    pub availability: String,
    /// Children paired with her now.
    pub load: i64,
}

impl From<VolunteerRow> for Volunteer {
    fn from(v: VolunteerRow) -> Volunteer {
        Volunteer {
            languages: language_names(u64::try_from(v.languages).unwrap_or(0)),
            user_id: v.user_id,
            name: v.display_name,
            township: v.township,
            capacity: v.capacity,
            availability: v.availability,
            load: v.load,
        }
    }
}

/// One line of a proposal: a waiting child and the volunteer proposed for her, if any.
#[derive(Clone, Debug)]
pub struct ProposedPair {
    pub child_id: String,
    pub child_name: String,
    pub child_township: String,
    pub volunteer_id: Option<String>,
    pub volunteer_name: String,
    pub km: Option<u32>,
    pub common_language: bool,
    pub preferred: bool,
}

/// The pairing proposed for every waiting child, for a coordinator to review and adjust.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub pairs: Vec<ProposedPair>,
    /// Every volunteer, for adjusting.
    pub volunteers: Vec<Volunteer>,
}

/// A pairing, in force or ended, as the board and a child's record show it.
#[derive(Clone, Debug)]
pub struct Pairing {
    pub row: ProxyParent,
    /// The child's name, on the boards (empty where the reader knows the child already: her
    /// record).
    pub child_name: String,
    /// No visit for longer than `care_alert_days` (pairings in force only).
    pub overdue: bool,
    /// Days since the last visit or the pairing, whichever is later.
    pub waiting_days: i32,
}

fn pairing_refused(e: PairingError) -> AppError {
    AppError::Invalid {
        field: match e {
            PairingError::NoChildren => "children",
            PairingError::NoVolunteers | PairingError::TooLarge => "volunteers",
        },
        reason: e.reason(),
        message: e.to_string(),
    }
}

impl App {
    /// The signed-in coordinator's or volunteer's own profile, if she has saved one.
    pub async fn my_volunteer_profile(
        &self,
        caller: &Caller,
    ) -> Result<Option<Volunteer>, AppError> {
        let me = self.serving_in_care(caller).await?;
        Ok(self
            .store
            .volunteer(&me.user_id)
            .await?
            .map(Volunteer::from))
    }

    /// Saves the signed-in coordinator's or volunteer's own profile: a township of the county, the
    /// languages she speaks, how many children she takes (not fewer than she has now) and when
    /// she is available.
    pub async fn save_volunteer_profile(
        &self,
        caller: &Caller,
        input: &VolunteerInput,
    ) -> Result<Volunteer, AppError> {
        let me = self.serving_in_care(caller).await?;
        let township = input.township.trim();
        if !self.townships().iter().any(|t| t.name == township) {
            return Err(invalid(CareError::UnknownTownship));
        }
        let names: Vec<&str> = input.languages.iter().map(String::as_str).collect();
        let languages = language_mask(&names).map_err(invalid)?;
        let (capacity, availability) =
            check_volunteer(&input.capacity, &input.availability).map_err(invalid)?;
        let load = self
            .store
            .volunteer(&me.user_id)
            .await?
            .map_or(0, |v| v.load);
        if i64::from(capacity) < load {
            return Err(AppError::Invalid {
                field: "capacity",
                reason: Reason::BelowCurrentLoad,
                message: format!(
                    "you are proxy parent to {load} children now; ask a coordinator to re-pair some before lowering your capacity"
                ),
            });
        }
        let row = VolunteerRow {
            user_id: me.user_id.clone(),
            display_name: String::new(),
            township: township.to_owned(),
            languages: i64::try_from(languages).unwrap_or(0),
            capacity: i64::from(capacity),
            availability,
            load,
        };
        let mut record = self.audit_record(
            Some(me),
            AuditEvent::CareVolunteerSaved,
            (AuditSubject::User, &me.user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("capacity {capacity}");
        self.store.save_volunteer(&row, caller.now, &record).await?;
        self.store
            .volunteer(&me.user_id)
            .await?
            .map(Volunteer::from)
            .ok_or_else(|| AppError::NotFound("your volunteer profile".into()))
    }

    /// Every volunteer with her load (coordinators).
    pub async fn care_volunteers(&self, caller: &Caller) -> Result<Vec<Volunteer>, AppError> {
        self.care_coordinator(caller).await?;
        Ok(self
            .store
            .volunteers()
            .await?
            .into_iter()
            .map(Volunteer::from)
            .collect())
    }

    /// The optimal pairing of every waiting child with the volunteers who have room, for a
    /// coordinator to review. Reading it opens the waiting children's names, so it is audited.
    pub async fn propose_pairings(&self, caller: &Caller) -> Result<Proposal, AppError> {
        let me = self.care_coordinator(caller).await?;
        let area = self.care_area(me);
        let mut children = self.store.unpaired_children().await?;
        children.retain(|c| area.as_ref().is_none_or(|a| a.contains(&c.township)));
        let volunteers = self.store.volunteers().await?;
        let townships = self.townships();
        let township_index =
            |name: &str| townships.iter().position(|t| t.name == name).unwrap_or(0);
        let input: Vec<pairing::Child> = children
            .iter()
            .map(|c| pairing::Child {
                township: township_index(&c.township),
                languages: u64::try_from(c.languages).unwrap_or(0),
                preferred: c
                    .preferred_volunteer
                    .as_deref()
                    .and_then(|p| volunteers.iter().position(|v| v.user_id == p)),
            })
            .collect();
        let candidates: Vec<pairing::Volunteer> = volunteers
            .iter()
            .map(|v| pairing::Volunteer {
                township: township_index(&v.township),
                languages: u64::try_from(v.languages).unwrap_or(0),
                capacity: u32::try_from(v.capacity).unwrap_or(0),
                load: u32::try_from(v.load).unwrap_or(u32::MAX),
            })
            .collect();
        let km = |a: usize, b: usize| match (townships.get(a), townships.get(b)) {
            (Some(a), Some(b)) => km_between(a, b),
            _ => 0,
        };
        let result = pairing::pair(&input, &candidates, km).map_err(pairing_refused)?;
        let mut record = self.audit_record(
            Some(me),
            AuditEvent::CarePairingProposed,
            (AuditSubject::Child, ""),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} children waiting", children.len());
        self.store.audit(&record).await?;
        let mut pairs = Vec::new();
        for ((row, child), volunteer) in children.into_iter().zip(&input).zip(result.volunteer_of) {
            let chosen = volunteer.map(|v| (&volunteers[v], &candidates[v], v));
            pairs.push(ProposedPair {
                child_name: self.open_child_name(&row.id, &row.name_sealed)?,
                child_id: row.id,
                child_township: row.township,
                volunteer_id: chosen.map(|(v, ..)| v.user_id.clone()),
                volunteer_name: chosen
                    .map(|(v, ..)| v.display_name.clone())
                    .unwrap_or_default(),
                km: chosen.map(|(_, c, _)| km(child.township, c.township)),
                common_language: chosen.is_some_and(|(_, c, _)| c.languages & child.languages != 0),
                preferred: chosen.is_some_and(|(.., i)| child.preferred == Some(i)),
            });
        }
        Ok(Proposal {
            pairs,
            volunteers: volunteers.into_iter().map(Volunteer::from).collect(),
        })
    }

    /// Confirms pairings as the coordinator adjusted them. A child already paired is re-paired
    /// only when her choice names the pairing it replaces (so two coordinators cannot undo each
    /// other's work unseen): that pairing ends and stays in her history. Refused, with nothing
    /// written, if a child or volunteer is unknown, a child appears twice, a child would be paired
    /// again with her own proxy parent, or a volunteer would have more children than her capacity;
    /// a child whose pairing changed meanwhile is a conflict.
    pub async fn confirm_pairings(
        &self,
        caller: &Caller,
        pairs: &[PairChoice],
    ) -> Result<usize, AppError> {
        let me = self.care_coordinator(caller).await?;
        let refuse = |message: String| AppError::malformed("pairs", message);
        let refused = |reason: Reason, message: String| AppError::refused("pairs", reason, message);
        if pairs.is_empty() {
            return Err(refuse(
                "choose a volunteer for at least one child, then confirm".into(),
            ));
        }
        if pairs.len() > pairing::MAX_SIDE {
            return Err(pairing_refused(PairingError::TooLarge));
        }
        let volunteers: HashMap<String, VolunteerRow> = self
            .store
            .volunteers()
            .await?
            .into_iter()
            .map(|v| (v.user_id.clone(), v))
            .collect();
        // Every child is either waiting or paired: two reads, whatever the number of pairs.
        let in_force: HashMap<String, ProxyParent> = self
            .store
            .pairings_in_force("")
            .await?
            .into_iter()
            .map(|p| (p.child_id.clone(), p))
            .collect();
        let waiting: HashMap<String, String> = self
            .store
            .unpaired_children()
            .await?
            .into_iter()
            .map(|c| (c.id, c.township))
            .collect();
        // New children per volunteer in this confirmation, less those re-paired away from her.
        let mut added: HashMap<String, i64> = HashMap::new();
        let mut rows: Vec<NewPairing> = Vec::new();
        for choice in pairs {
            if rows.iter().any(|r| r.child_id == choice.child) {
                return Err(refuse("a child can have one proxy parent only".into()));
            }
            let volunteer = volunteers.get(&choice.volunteer).ok_or_else(|| {
                refuse(
                    "choose volunteers from the list: someone chosen has no volunteer profile"
                        .into(),
                )
            })?;
            let current = in_force.get(&choice.child);
            let Some(township) = current
                .map(|p| &p.township)
                .or_else(|| waiting.get(&choice.child))
            else {
                // Paired by someone else between the two reads, or not in the programme at all.
                return Err(match self.store.child(&choice.child).await? {
                    Some(_) => changed_meanwhile(),
                    None => refuse("a chosen child is not in the programme".into()),
                });
            };
            self.coordinating_in(caller, township).await?;
            if current.map(|p| p.id.as_str())
                != Some(choice.replaces.as_str()).filter(|r| !r.is_empty())
            {
                return Err(changed_meanwhile());
            }
            if let Some(p) = current {
                if p.volunteer_id == choice.volunteer {
                    return Err(refused(
                        Reason::AlreadyPaired,
                        format!(
                            "a child is already paired with {}; choose someone else to re-pair her",
                            volunteer.display_name
                        ),
                    ));
                }
                // Her old proxy parent gets the place back.
                *added.entry(p.volunteer_id.clone()).or_default() -= 1;
            }
            *added.entry(choice.volunteer.clone()).or_default() += 1;
            rows.push(NewPairing {
                id: format!("cp-{}", random_hex(12)),
                child_id: choice.child.clone(),
                volunteer_id: choice.volunteer.clone(),
                replaces: current.map(|p| p.id.clone()),
            });
        }
        for (id, count) in &added {
            if let Some(v) = volunteers.get(id)
                && v.load + count > v.capacity
            {
                return Err(refused(
                    Reason::Full,
                    format!(
                        "{} takes {} children and has {}; choose someone else for the others",
                        v.display_name, v.capacity, v.load
                    ),
                ));
            }
        }
        let mut record = self.audit_record(
            Some(me),
            AuditEvent::CarePairingConfirmed,
            (
                AuditSubject::Child,
                if rows.len() == 1 {
                    &rows[0].child_id
                } else {
                    ""
                },
            ),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} children paired", rows.len());
        self.store
            .confirm_pairings(&rows, &me.user_id, caller.now, &record)
            .await?;
        Ok(rows.len())
    }

    /// Records the volunteer a child's family asks for as proxy parent (empty: none). The next
    /// proposal favours her.
    pub async fn set_preferred_volunteer(
        &self,
        caller: &Caller,
        child_id: &str,
        volunteer_id: &str,
    ) -> Result<(), AppError> {
        self.care_coordinator(caller).await?;
        let child = self
            .store
            .child(child_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this child".into()))?;
        let me = self.coordinating_in(caller, &child.township).await?;
        let volunteer_id = volunteer_id.trim();
        if !volunteer_id.is_empty() && self.store.volunteer(volunteer_id).await?.is_none() {
            return Err(AppError::Invalid {
                field: "volunteer",
                reason: Reason::Malformed,
                message: "choose a volunteer from the list".into(),
            });
        }
        let record = self.audit_record(
            Some(me),
            AuditEvent::CarePreferenceSet,
            (AuditSubject::Child, child_id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .set_preferred_volunteer(
                child_id,
                Some(volunteer_id).filter(|v| !v.is_empty()),
                &record,
            )
            .await?;
        Ok(())
    }

    pub(crate) fn pairing_view(&self, row: ProxyParent, today: jiff::civil::Date) -> Pairing {
        let paired_on = beijing_today(row.paired_at);
        let last = row.last_visit;
        let days = i32::try_from(self.config.care_alert_days).unwrap_or(i32::MAX);
        Pairing {
            child_name: String::new(),
            overdue: row.ended_at.is_none() && visit_overdue(last, paired_on, today, days),
            waiting_days: (today - visit_clock(last, paired_on)).get_days(),
            row,
        }
    }

    /// A child's pairings, the one in force first (for her record).
    pub(crate) async fn pairings_of(
        &self,
        child_id: &str,
        now: i64,
    ) -> Result<Vec<Pairing>, AppError> {
        let today = beijing_today(now);
        Ok(self
            .store
            .pairings_of_child(child_id)
            .await?
            .into_iter()
            .map(|row| self.pairing_view(row, today))
            .collect())
    }

    /// Every pairing in force in the coordinator's area, the most overdue first: the board.
    pub async fn pairings_in_force(&self, caller: &Caller) -> Result<Vec<Pairing>, AppError> {
        let me = self.care_coordinator(caller).await?;
        let area = self.care_area(me);
        let mut board = self.board("", caller.now).await?;
        board.retain(|p| area.as_ref().is_none_or(|a| a.contains(&p.row.township)));
        Ok(board)
    }

    /// The signed-in volunteer's own pairings in force, the most overdue first.
    pub async fn my_proxy_children(&self, caller: &Caller) -> Result<Vec<Pairing>, AppError> {
        let me = self.serving_in_care(caller).await?;
        self.board(&me.user_id, caller.now).await
    }

    async fn board(&self, volunteer: &str, now: i64) -> Result<Vec<Pairing>, AppError> {
        let today = beijing_today(now);
        let mut pairings = Vec::new();
        for (row, name_sealed) in self.store.pairings_in_force_named(volunteer).await? {
            let child_name = self.open_child_name(&row.child_id, &name_sealed)?;
            pairings.push(Pairing {
                child_name,
                ..self.pairing_view(row, today)
            });
        }
        pairings.sort_by_key(|p| std::cmp::Reverse(p.waiting_days));
        Ok(pairings)
    }

    /// Queues an alert to the proxy parent and to the coordinator who paired them for every
    /// paired child overdue for a visit on `now`'s day. Each overdue spell is told once however
    /// often this runs (the messages are keyed by the pairing and the day the wait began).
    /// Returns how many messages were queued.
    pub async fn queue_care_alerts(&self, now: i64) -> Result<usize, AppError> {
        let today = beijing_today(now);
        let days = self.config.care_alert_days;
        let mut queued = 0;
        for row in self.store.pairings_in_force("").await? {
            let pairing = self.pairing_view(row, today);
            if !pairing.overdue {
                continue;
            }
            let row = &pairing.row;
            let township = &row.township;
            let clock = visit_clock(row.last_visit, beijing_today(row.paired_at));
            let mut to = vec![row.volunteer_id.as_str()];
            if row.paired_by != row.volunteer_id {
                to.push(&row.paired_by);
            }
            let mut messages = Vec::new();
            for user_id in to {
                let Some(user) = self
                    .store
                    .user_by_id(user_id)
                    .await?
                    .filter(|u| u.disabled_at.is_none())
                else {
                    continue;
                };
                let lang = user.language;
                let params: Map<String, Value> = [
                    ("township", json!(township)),
                    ("days", json!(days)),
                    ("link", json!(self.child_link(&row.child_id, lang))),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
                let key = format!("care-visit:{}:{clock}:{}", row.id, user.id);
                messages.extend(
                    self.messages_keyed(&user, Notice::CareVisitOverdue, &params, Some(&key))
                        .await?,
                );
            }
            queued += self.store.queue_care_alert(&row.id, &messages, now).await?;
        }
        Ok(queued)
    }

    /// The address of a child's record, in `lang`, for messages to coordinators and proxy parents.
    pub(crate) fn child_link(&self, child_id: &str, lang: Lang) -> String {
        format!(
            "{}/care/children/{child_id}?lang={}",
            self.public_url(),
            lang.tag()
        )
    }

    pub(crate) fn open_child_name(&self, id: &str, sealed: &str) -> Result<String, AppError> {
        if sealed.is_empty() {
            return Ok(String::new());
        }
        self.vault.open(&format!("care:name:{id}"), sealed)
    }
}

fn changed_meanwhile() -> AppError {
    StoreError::conflict(
        "a child's proxy parent is not the one this form was made for: someone changed it meanwhile; reload and choose again"
            .into(),
    )
    .into()
}
