//! The care programme's board: micro-wishes (微心愿) collected at visits and taken up by a volunteer
//! or a donor, activities with the children and volunteers who came, and the messages parents
//! abroad send their child's proxy parent (sealed; read by the proxy parent and coordinators on
//! the child's record).

use qiaoyi_domain::access::{AuditEvent, AuditSubject};
use qiaoyi_domain::care::{
    ActivitySummary, MESSAGES_PER_DAY, Wish, WishState, check_activity, check_message, check_wish,
    check_wish_note,
};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{CareMessageRow, Page, WishMove};
use serde_json::{Map, Value, json};

use crate::accounts::random_hex;
use crate::care::invalid;
use crate::{App, AppError, Caller};

/// What a coordinator enters for an activity.
#[derive(Clone, Debug, Default)]
pub struct ActivityInput {
    pub theme: String,
    pub date: String,
    pub township: String,
    pub place: String,
    pub organisers: String,
}

/// Where a wish moves: `taken` (by the signed-in volunteer, or by the donor named) or
/// `fulfilled` (with a note).
#[derive(Clone, Copy, Debug, Default)]
pub struct WishStep<'a> {
    pub to: &'a str,
    pub donor: &'a str,
    pub note: &'a str,
}

/// Someone who may be marked present at an activity.
#[derive(Clone, Debug)]
pub struct Attendee {
    pub id: String,
    pub name: String,
    pub present: bool,
}

/// An activity with who may come and who came: the township's children and every volunteer.
#[derive(Clone, Debug)]
pub struct Activity {
    pub row: ActivitySummary,
    pub children: Vec<Attendee>,
    pub volunteers: Vec<Attendee>,
}

/// A message to a proxy parent, opened.
#[derive(Clone, Debug)]
pub struct CareMessage {
    /// The sender's account.
    pub from_user: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub sent_at: i64,
}

/// The most children an activity's attendance lists.
const MAX_ATTENDEES: u64 = 500;

impl App {
    /// Records a child's micro-wish (her proxy parent or a coordinator), open on the board.
    pub async fn record_wish(
        &self,
        caller: &Caller,
        child_id: &str,
        wish: &str,
    ) -> Result<Wish, AppError> {
        let me = self.care_for_child(caller, child_id).await?;
        let child = self
            .store
            .child(child_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this child".into()))?;
        let row = Wish {
            id: format!("cw-{}", random_hex(12)),
            child_id: child.id,
            township: child.township,
            wish: check_wish(wish).map_err(invalid)?,
            state: WishState::Open,
            taken_by: None,
            taken_by_name: String::new(),
            donor: String::new(),
            note: String::new(),
            recorded_by: Some(me.user_id.clone()),
            created_at: caller.now,
            updated_at: caller.now,
        };
        let record = self.audit_record(
            Some(me),
            AuditEvent::CareWishRecorded,
            (AuditSubject::Child, child_id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.insert_wish(&row, &record).await?;
        Ok(row)
    }

    /// The board of wishes in one state (`open`, `taken`, `fulfilled`) or all, oldest first.
    pub async fn care_wishes(
        &self,
        caller: &Caller,
        state: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Wish>, AppError> {
        let me = self.care_coordinator(caller).await?;
        let state = state.trim();
        if !state.is_empty() && WishState::parse(state).is_none() {
            return Err(AppError::Invalid {
                field: "state",
                reason: Reason::Malformed,
                message: "choose open, taken or fulfilled".into(),
            });
        }
        Ok(self
            .store
            .wishes(
                state,
                self.care_area(me).as_deref(),
                offset,
                limit.clamp(1, 100),
            )
            .await?)
    }

    /// Moves a wish on to `to`: an open wish is `taken` up by the signed-in volunteer, or by a
    /// donor when `donor` names one; a taken wish is `fulfilled` with `note`. A wish not in the
    /// state before `to` (someone else moved it first, or the same form was sent twice) is a
    /// conflict, and nothing is written.
    pub async fn advance_wish(
        &self,
        caller: &Caller,
        id: &str,
        step: &WishStep<'_>,
    ) -> Result<Wish, AppError> {
        let WishStep { to, donor, note } = *step;
        self.serving_in_care(caller).await?;
        let wish = self
            .store
            .wish(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this wish".into()))?;
        let me = self.care_for_child(caller, &wish.child_id).await?;
        let from = wish.state;
        let to = match WishState::parse(to.trim()) {
            Some(to @ (WishState::Taken | WishState::Fulfilled)) => to,
            _ => {
                return Err(AppError::Invalid {
                    field: "state",
                    reason: Reason::Malformed,
                    message: "a wish moves to taken or fulfilled".into(),
                });
            }
        };
        if from.next() != Some(to) {
            return Err(qiaoyi_store::StoreError::conflict(format!(
                "this wish is {} now; reload the board",
                from.as_str()
            ))
            .into());
        }
        let donor = donor.trim();
        if donor.chars().count() > qiaoyi_domain::care::MAX_NAME
            || donor.chars().any(char::is_control)
        {
            return Err(AppError::Invalid {
                field: "donor",
                reason: Reason::Malformed,
                message: "give the donor's name in at most 40 characters, or leave it empty to take the wish up yourself".into(),
            });
        }
        let note = check_wish_note(note).map_err(invalid)?;
        let taking = to == WishState::Taken;
        let mut record = self.audit_record(
            Some(me),
            if taking {
                AuditEvent::CareWishTaken
            } else {
                AuditEvent::CareWishFulfilled
            },
            (AuditSubject::Child, &wish.child_id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = wish.id.clone();
        let moved = self
            .store
            .move_wish(
                &WishMove {
                    id: &wish.id,
                    from: from.as_str(),
                    to: to.as_str(),
                    taken_by: (taking && donor.is_empty()).then_some(me.user_id.as_str()),
                    donor: if taking { donor } else { "" },
                    note: if taking { &wish.note } else { &note },
                    now: caller.now,
                },
                &record,
            )
            .await?;
        if !moved {
            return Err(qiaoyi_store::StoreError::conflict(
                "someone else moved this wish first; reload the board".into(),
            )
            .into());
        }
        self.store
            .wish(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this wish".into()))
    }

    /// Records an activity (a coordinator of its township).
    pub async fn record_activity(
        &self,
        caller: &Caller,
        input: &ActivityInput,
    ) -> Result<ActivitySummary, AppError> {
        let me = self.care_coordinator(caller).await?;
        let checked = check_activity(&input.theme, &input.date, &input.place, &input.organisers)
            .map_err(invalid)?;
        let township = input.township.trim();
        if !self.townships().iter().any(|t| t.name == township) {
            return Err(invalid(qiaoyi_domain::care::CareError::UnknownTownship));
        }
        self.coordinating_in(caller, township).await?;
        let row = ActivitySummary {
            id: format!("ca-{}", random_hex(12)),
            theme: checked.theme,
            date: checked.date,
            township: township.to_owned(),
            place: checked.place,
            organisers: checked.organisers,
            created_by: me.user_id.clone(),
            created_at: caller.now,
            children: 0,
            volunteers: 0,
        };
        let record = self.audit_record(
            Some(me),
            AuditEvent::CareActivityRecorded,
            (AuditSubject::Activity, &row.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.insert_activity(&row, &record).await?;
        Ok(row)
    }

    /// Activities of the coordinator's area, the latest first.
    pub async fn care_activities(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<ActivitySummary>, AppError> {
        let me = self.care_coordinator(caller).await?;
        Ok(self
            .store
            .activities(self.care_area(me).as_deref(), offset, limit.clamp(1, 100))
            .await?)
    }

    /// An activity with its township's children and every volunteer, marked present or not. It
    /// opens children's names, so the read is audited.
    pub async fn care_activity(&self, caller: &Caller, id: &str) -> Result<Activity, AppError> {
        self.care_coordinator(caller).await?;
        let row = self
            .store
            .activity(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this activity".into()))?;
        let me = self.coordinating_in(caller, &row.township).await?;
        let present = self.store.attendance(id).await?;
        let is_present = |kind: &str, who: &str| present.iter().any(|(k, w)| k == kind && w == who);
        let record = self.audit_record(
            Some(me),
            AuditEvent::CareActivityRead,
            (AuditSubject::Activity, id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.audit(&record).await?;
        let mut children = Vec::new();
        for child in self
            .store
            .children(&row.township, "", None, 0, MAX_ATTENDEES)
            .await?
            .items
        {
            children.push(Attendee {
                present: is_present("child", &child.id),
                name: self.open_child_name(&child.id, &child.name_sealed)?,
                id: child.id,
            });
        }
        let volunteers = self
            .store
            .volunteers()
            .await?
            .into_iter()
            .map(|v| Attendee {
                present: is_present("volunteer", &v.user_id),
                name: v.display_name,
                id: v.user_id,
            })
            .collect();
        Ok(Activity {
            row,
            children,
            volunteers,
        })
    }

    /// Records who came to an activity: children of its township and volunteers, by id. The list
    /// replaces the one before.
    pub async fn record_attendance(
        &self,
        caller: &Caller,
        id: &str,
        children: &[String],
        volunteers: &[String],
    ) -> Result<Activity, AppError> {
        self.care_coordinator(caller).await?;
        let activity = self
            .store
            .activity(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this activity".into()))?;
        let me = self.coordinating_in(caller, &activity.township).await?;
        // Who may be marked, by id only: names are opened once, for the page that follows.
        let allowed_children: Vec<String> = self
            .store
            .children(&activity.township, "", None, 0, MAX_ATTENDEES)
            .await?
            .items
            .into_iter()
            .map(|c| c.id)
            .collect();
        let allowed_volunteers: Vec<String> = self
            .store
            .volunteers()
            .await?
            .into_iter()
            .map(|v| v.user_id)
            .collect();
        let mut attendance: Vec<(&str, String)> = Vec::new();
        for (kind, chosen, allowed) in [
            ("child", children, &allowed_children),
            ("volunteer", volunteers, &allowed_volunteers),
        ] {
            for who in chosen {
                if !allowed.contains(who) {
                    return Err(AppError::Invalid {
                        field: if kind == "child" {
                            "children"
                        } else {
                            "volunteers"
                        },
                        reason: Reason::Malformed,
                        message: if kind == "child" {
                            "mark only children of the activity's township, from the list".into()
                        } else {
                            "mark only volunteers from the list".into()
                        },
                    });
                }
                if !attendance.iter().any(|(k, w)| *k == kind && w == who) {
                    attendance.push((kind, who.clone()));
                }
            }
        }
        let mut record = self.audit_record(
            Some(me),
            AuditEvent::CareAttendanceRecorded,
            (AuditSubject::Activity, id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} present", attendance.len());
        self.store.set_attendance(id, &attendance, &record).await?;
        self.care_activity(caller, id).await
    }

    /// A parent abroad writes to her child's proxy parent, who is told by her channels. Refused
    /// for a child who is not hers (audited, and not told apart from one that does not exist) or
    /// who has no proxy parent yet.
    pub async fn send_care_message(
        &self,
        caller: &Caller,
        child_id: &str,
        body: &str,
    ) -> Result<CareMessage, AppError> {
        let me = self.own_child(caller, child_id).await?;
        let body = check_message(body).map_err(invalid)?;
        let sent = self
            .store
            .care_messages_sent(child_id, me, caller.now - 86_400_000)
            .await?;
        if sent >= MESSAGES_PER_DAY {
            return Err(AppError::Invalid {
                field: "message",
                reason: Reason::DailyLimit,
                message: format!(
                    "you have sent {MESSAGES_PER_DAY} messages about this child in the last 24 hours; write again tomorrow"
                ),
            });
        }
        let pairing = self
            .store
            .pairings_of_child(child_id)
            .await?
            .into_iter()
            .find(|p| p.ended_at.is_none())
            .ok_or_else(|| AppError::Invalid {
                field: "message",
                reason: Reason::NoProxyParent,
                message: "your child has no proxy parent yet; the care coordinators will tell you when she has one".into(),
            })?;
        let sender = self
            .store
            .user_by_id(me)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let reader = self
            .store
            .user_by_id(&pairing.volunteer_id)
            .await?
            .ok_or_else(|| AppError::NotFound("the proxy parent".into()))?;
        let params = |to: &qiaoyi_store::UserRow| -> Map<String, Value> {
            [
                ("parent", json!(sender.display_name)),
                ("link", json!(self.child_link(child_id, to.language))),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
        };
        let mut notices = self
            .messages_to(&reader, Notice::CareMessage, &params(&reader))
            .await?;
        // The coordinator who paired them hears of it too, unless she is the proxy parent.
        if pairing.paired_by != pairing.volunteer_id
            && let Some(coordinator) = self
                .store
                .user_by_id(&pairing.paired_by)
                .await?
                .filter(|u| u.disabled_at.is_none())
        {
            notices.extend(
                self.messages_to(
                    &coordinator,
                    Notice::CareMessageCoordinator,
                    &params(&coordinator),
                )
                .await?,
            );
        }
        let id = format!("cm-{}", random_hex(12));
        let row = CareMessageRow {
            body_sealed: self.vault.seal(&format!("care:message:{id}"), &body),
            id,
            child_id: child_id.to_owned(),
            from_user: me.to_owned(),
            from_name: sender.display_name.clone(),
            to_user: reader.id.clone(),
            to_name: reader.display_name.clone(),
            sent_at: caller.now,
        };
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let record = self.audit_record(
            Some(actor),
            AuditEvent::CareMessageSent,
            (AuditSubject::Child, child_id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .insert_care_message(&row, &notices, &record)
            .await?;
        Ok(CareMessage {
            from_user: row.from_user,
            from: row.from_name,
            to: row.to_name,
            body,
            sent_at: caller.now,
        })
    }

    /// The messages about a child, opened, newest first.
    pub(crate) async fn care_messages_of(
        &self,
        child_id: &str,
    ) -> Result<Vec<CareMessage>, AppError> {
        self.store
            .care_messages(child_id)
            .await?
            .into_iter()
            .map(|m| {
                Ok(CareMessage {
                    body: self
                        .vault
                        .open(&format!("care:message:{}", m.id), &m.body_sealed)?,
                    from_user: m.from_user,
                    from: m.from_name,
                    to: m.to_name,
                    sent_at: m.sent_at,
                })
            })
            .collect()
    }
}
