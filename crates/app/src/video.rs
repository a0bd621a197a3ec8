//! Video identity checks: officers publish slots in Beijing time; the applicant's side (the
//! applicant, a relative under a mandate, her station) books one for a case whose service needs a
//! video check, seeing it in her own zone beside Beijing's; either side cancels; the officer marks
//! a no-show; reminders go out a day before.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;
use qiaoyi_domain::video::{
    MAX_MINUTES, Slot, SlotState, beijing_clock, slots_from, wall_clock, zone,
};
use qiaoyi_store::NewMessage;
use serde_json::Map;

use crate::accounts::random_hex;
use crate::cases::Case;
use crate::{App, AppError, Caller};

/// A slot as a person sees it: in her zone and in Beijing.
#[derive(Clone, Debug)]
pub struct SlotView {
    pub row: Slot,
    pub local: String,
    pub beijing: String,
}

/// What a case's page shows of its video check.
#[derive(Clone, Debug)]
pub struct CaseVideo {
    /// The booked slot, if any.
    pub booked: Option<SlotView>,
    /// Open slots to choose from when none is booked and the reader may book.
    pub open: Vec<SlotView>,
    pub may_book: bool,
    /// The zone times are shown in.
    pub time_zone: String,
}

fn invalid(e: qiaoyi_domain::video::VideoError) -> AppError {
    AppError::Invalid {
        field: e.field(),
        reason: e.reason(),
        message: e.to_string(),
    }
}

/// The zone to show times in: the one asked for, else the station's, else Beijing's.
fn zone_name(asked: &str, station_zone: Option<String>) -> String {
    let asked = asked.trim();
    if !asked.is_empty() && zone(asked).is_ok() {
        return asked.to_owned();
    }
    station_zone.unwrap_or_else(|| "Asia/Shanghai".to_owned())
}

impl App {
    pub(crate) fn slot_view(&self, row: Slot, tz: &str) -> SlotView {
        let local = zone(tz)
            .map(|z| wall_clock(row.starts_at, &z))
            .unwrap_or_default();
        SlotView {
            beijing: beijing_clock(row.starts_at),
            local,
            row,
        }
    }

    /// The zone a case's times are shown in by default: its station's, else that of a station in
    /// the country of the person on file.
    async fn station_zone(&self, case: &Case) -> Result<Option<String>, AppError> {
        if let Some(code) = &case.station {
            return Ok(self
                .store
                .station(code.as_str())
                .await?
                .map(|s| s.time_zone));
        }
        let person = match self
            .store
            .case_by_id(&case.id)
            .await?
            .and_then(|r| r.person_id)
        {
            Some(id) => self.store.person(&id).await?,
            None => None,
        };
        let Some(person) = person else {
            return Ok(None);
        };
        Ok(self
            .stations()
            .await?
            .into_iter()
            .find(|s| s.country == person.country)
            .map(|s| s.time_zone))
    }

    /// Every zone the stations are in, and Beijing's: what a person may choose to see times in.
    pub async fn video_zones(&self) -> Result<Vec<String>, AppError> {
        let mut zones: Vec<String> = self
            .stations()
            .await?
            .into_iter()
            .map(|s| s.time_zone)
            .collect();
        zones.push("Asia/Shanghai".into());
        zones.sort();
        zones.dedup();
        Ok(zones)
    }

    /// Publishes slots on one day at the given Beijing times (officers).
    pub async fn publish_slots(
        &self,
        caller: &Caller,
        date: &str,
        times: &str,
        minutes: i64,
    ) -> Result<usize, AppError> {
        self.authorize(caller, Action::HoldVideoChecks, &Resource::System)
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let minutes = u16::try_from(minutes).unwrap_or(MAX_MINUTES + 1);
        let starts = slots_from(date, times, minutes, caller.now).map_err(invalid)?;
        let slots: Vec<(String, i64)> = starts
            .iter()
            .map(|at| (format!("v-{}", random_hex(12)), *at))
            .collect();
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::VideoSlotsPublished,
            (AuditSubject::Video, ""),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} slots on {date}", slots.len());
        self.store
            .publish_slots(
                &actor.user_id,
                &slots,
                i64::from(minutes),
                caller.now,
                &record,
            )
            .await?;
        Ok(slots.len())
    }

    /// The officer's own slots from now on, in Beijing time and the booker's zone.
    pub async fn my_slots(&self, caller: &Caller) -> Result<Vec<SlotView>, AppError> {
        self.authorize(caller, Action::HoldVideoChecks, &Resource::System)
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let rows = self
            .store
            .officer_slots(&actor.user_id, caller.now - 3_600_000, 200)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let tz = if r.booker_time_zone.is_empty() {
                    "Asia/Shanghai".to_owned()
                } else {
                    r.booker_time_zone.clone()
                };
                self.slot_view(r, &tz)
            })
            .collect())
    }

    /// A case's video check for its page: the booking, or the open slots to choose from.
    pub async fn case_video(
        &self,
        caller: &Caller,
        case: &Case,
        time_zone: &str,
    ) -> Result<Option<CaseVideo>, AppError> {
        if !case.item.video_check {
            return Ok(None);
        }
        let tz = zone_name(time_zone, self.station_zone(case).await?);
        let booked = self
            .store
            .booked_slot_of_case(&case.id)
            .await?
            .map(|r| self.slot_view(r, &tz));
        let may_book = caller.session().is_some_and(|s| {
            qiaoyi_domain::access::decide(&s.actor, Action::SubmitCase, &case.resource())
                .is_allowed()
        }) && case.state.is_with_bureau();
        let open = if may_book {
            self.store
                .open_slots(caller.now, 20)
                .await?
                .into_iter()
                .map(|r| self.slot_view(r, &tz))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(CaseVideo {
            booked,
            open,
            may_book,
            time_zone: tz,
        }))
    }

    async fn video_messages(
        &self,
        case: &Case,
        notice: Notice,
        starts_at: i64,
        tz: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(applicant) = &case.applicant_id else {
            return Ok(Vec::new());
        };
        let Some(user) = self.store.user_by_id(applicant).await? else {
            return Ok(Vec::new());
        };
        let lang = user.language;
        let local = zone(tz)
            .map(|z| wall_clock(starts_at, &z))
            .unwrap_or_else(|_| beijing_clock(starts_at));
        let mut params = Map::new();
        params.insert("number".into(), case.number.clone().into());
        params.insert("item".into(), case.item.name.get(lang).into());
        params.insert("local".into(), local.into());
        params.insert("beijing".into(), beijing_clock(starts_at).into());
        params.insert("link".into(), self.case_link(&case.id, lang).into());
        // The booking's iCalendar file, in her zone and language, for her calendar.
        params.insert(
            "calendar".into(),
            format!(
                "{}/cases/{}/video.ics?tz={tz}&lang={}",
                self.public_url(),
                case.id,
                lang.tag()
            )
            .into(),
        );
        self.messages_to(&user, notice, &params).await
    }

    /// Books a slot for a case: the applicant's side, for a service that needs a video check,
    /// while the bureau has the case. Of two people booking one slot at once exactly one gets it;
    /// the other is told to choose another.
    pub async fn book_video_slot(
        &self,
        caller: &Caller,
        case_id: &str,
        slot_id: &str,
        time_zone: &str,
    ) -> Result<SlotView, AppError> {
        let case = self.load_case(case_id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize_case_read(caller, &case)
            .await
            .map_err(|e| match e {
                AppError::Forbidden(_) => AppError::NotFound("this case".into()),
                other => other,
            })?;
        self.authorize(caller, Action::SubmitCase, &case.resource())
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        if !case.item.video_check || !case.state.is_with_bureau() {
            return Err(AppError::Invalid {
                field: "slot",
                reason: Reason::Malformed,
                message: "this case needs no video check now".into(),
            });
        }
        let tz = zone_name(time_zone, self.station_zone(&case).await?);
        let slot = self
            .store
            .slot(slot_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this slot".into()))?;
        let messages = self
            .video_messages(&case, Notice::VideoBooked, slot.starts_at, &tz)
            .await?;
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::VideoBooked,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("slot {slot_id}");
        let booked = self
            .store
            .book_slot(
                &qiaoyi_store::Booking {
                    slot_id,
                    case_id: &case.id,
                    booked_by: &actor.user_id,
                    time_zone: &tz,
                },
                caller.now,
                &record,
                &messages,
            )
            .await?;
        if !booked {
            return Err(AppError::Store(qiaoyi_store::StoreError::Conflict {
                kind: qiaoyi_store::ConflictKind::Taken,
                message: "someone booked this time first; choose another".into(),
            }));
        }
        let row = self
            .store
            .slot(slot_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this slot".into()))?;
        Ok(self.slot_view(row, &tz))
    }

    /// Moves a case's booked check to another open time in one step (the applicant's side): of
    /// two people taking the same new time exactly one gets it, and the other keeps her booking.
    pub async fn reschedule_video_slot(
        &self,
        caller: &Caller,
        slot_id: &str,
        to_slot: &str,
        time_zone: &str,
    ) -> Result<SlotView, AppError> {
        let from = self
            .store
            .slot(slot_id)
            .await?
            .filter(|s| s.state == SlotState::Booked)
            .ok_or_else(|| AppError::NotFound("this booking".into()))?;
        let case = self
            .load_case(from.case_id.as_deref().unwrap_or_default())
            .await?;
        self.authorize_case_read(caller, &case)
            .await
            .map_err(|e| match e {
                AppError::Forbidden(_) => AppError::NotFound("this booking".into()),
                other => other,
            })?;
        self.authorize(caller, Action::SubmitCase, &case.resource())
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let tz = zone_name(time_zone, self.station_zone(&case).await?);
        let to = self
            .store
            .slot(to_slot)
            .await?
            .ok_or_else(|| AppError::NotFound("the new time".into()))?;
        if to.id == from.id {
            return Err(AppError::Invalid {
                field: "slot",
                reason: Reason::Malformed,
                message: "choose a time other than the one booked".into(),
            });
        }
        let messages = self
            .video_messages(&case, Notice::VideoBooked, to.starts_at, &tz)
            .await?;
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::VideoRescheduled,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("slot {} to {}", from.id, to.id);
        let moved = self
            .store
            .move_booking(
                &from.id,
                &qiaoyi_store::Booking {
                    slot_id: &to.id,
                    case_id: &case.id,
                    booked_by: &actor.user_id,
                    time_zone: &tz,
                },
                caller.now,
                &record,
                &messages,
            )
            .await?;
        if !moved {
            return Err(AppError::Store(qiaoyi_store::StoreError::Conflict {
                kind: qiaoyi_store::ConflictKind::Taken,
                message: "someone booked the new time first; your booking stays as it was".into(),
            }));
        }
        let row = self
            .store
            .slot(&to.id)
            .await?
            .ok_or_else(|| AppError::NotFound("the new time".into()))?;
        Ok(self.slot_view(row, &tz))
    }

    /// Gives a booked slot back: the applicant's side of its case, or its officer. It opens again.
    pub async fn cancel_video_slot(&self, caller: &Caller, slot_id: &str) -> Result<(), AppError> {
        let slot = self
            .store
            .slot(slot_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this slot".into()))?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let Some(case_id) = slot.case_id.clone() else {
            return Err(AppError::Invalid {
                field: "slot",
                reason: Reason::Malformed,
                message: "this slot is not booked".into(),
            });
        };
        if slot.officer_id != actor.user_id {
            let case = self.load_case(&case_id).await?;
            self.authorize(caller, Action::SubmitCase, &case.resource())
                .await?;
        }
        let record = self.audit_record(
            Some(actor),
            AuditEvent::VideoCancelled,
            (AuditSubject::Case, &case_id),
            "ok",
            &caller.client,
            caller.now,
        );
        if !self
            .store
            .change_slot(slot_id, SlotState::Booked, SlotState::Open, &record)
            .await?
        {
            return Err(AppError::Store(qiaoyi_store::StoreError::conflict(
                "this booking changed meanwhile; reload the page".into(),
            )));
        }
        Ok(())
    }

    /// The officer marks that nobody came to a booked check that has started.
    pub async fn mark_video_no_show(&self, caller: &Caller, slot_id: &str) -> Result<(), AppError> {
        self.authorize(caller, Action::HoldVideoChecks, &Resource::System)
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let slot = self
            .store
            .slot(slot_id)
            .await?
            .filter(|s| s.officer_id == actor.user_id)
            .ok_or_else(|| AppError::NotFound("this slot".into()))?;
        if slot.starts_at > caller.now {
            return Err(AppError::Invalid {
                field: "slot",
                reason: Reason::Malformed,
                message: "a check can be marked as missed only once it has started".into(),
            });
        }
        let case_id = slot.case_id.clone().unwrap_or_default();
        let record = self.audit_record(
            Some(actor),
            AuditEvent::VideoNoShow,
            (AuditSubject::Case, &case_id),
            "ok",
            &caller.client,
            caller.now,
        );
        if !self
            .store
            .change_slot(slot_id, SlotState::Booked, SlotState::NoShow, &record)
            .await?
        {
            return Err(AppError::Store(qiaoyi_store::StoreError::conflict(
                "only a booked check can be marked as missed".into(),
            )));
        }
        Ok(())
    }

    /// Queues the reminders of checks starting within a day, once each (their dedupe key names
    /// the slot). Run by the delivery worker; returns how many were queued.
    pub async fn queue_video_reminders(&self, now: i64) -> Result<usize, AppError> {
        let due = self
            .store
            .slots_to_remind(now, now + qiaoyi_domain::video::REMINDER_MS)
            .await?;
        let mut messages = Vec::new();
        for slot in due {
            let Some(case_id) = &slot.case_id else {
                continue;
            };
            let case = self.load_case(case_id).await?;
            for mut m in self
                .video_messages(
                    &case,
                    Notice::VideoReminder,
                    slot.starts_at,
                    &slot.booker_time_zone,
                )
                .await?
            {
                m.dedupe_key = Some(format!(
                    "video-reminder:{}:{}:{}",
                    slot.id, case_id, m.channel
                ));
                messages.push(m);
            }
        }
        Ok(self.store.enqueue_messages(&messages, now).await?)
    }
}
