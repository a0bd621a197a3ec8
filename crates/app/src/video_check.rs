//! The video identity check itself: who takes part (the applicant's side or the bureau adds
//! them), who may enter the room of a booked check, what the officer records of each participant,
//! and the gate that keeps "identity verified" back until every required participant is confirmed
//! (the rules are `qiaoyi_domain::video_check`).

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource, decide};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::ice::{IceUrl, TurnCredentials, turn_credentials};
use qiaoyi_domain::video::{Slot, SlotState};
use qiaoyi_domain::video_check::{
    GateError, NumberDigest, Participant, Role, STAYS_AFTER_MS, Verdict, gate, guardians_needed,
    is_required, judge, legacy_number_digest, needs_video_check, normalize_number, participant,
    room_open,
};
use qiaoyi_store::VerdictWrite;

use crate::accounts::random_hex;
use crate::cases::{Case, beijing_today};
use crate::video::SlotView;
use crate::{App, AppError, Caller};

/// The mark of a document-number digest keyed under the field key.
const KEYED: &str = "mac:";

/// What the applicant's side (or the bureau) fills in to add a participant.
#[derive(Clone, Debug, Default)]
pub struct ParticipantInput {
    /// `subject`, `parent` or `guardian`.
    pub role: String,
    pub name: String,
    pub document_type: String,
    pub document_number: String,
    /// The e-mail address of the participant's own account, to join on her own device; empty to
    /// sit beside the applicant.
    pub email: String,
}

/// What the officer records of one participant.
#[derive(Clone, Debug, Default)]
pub struct VerdictInput {
    pub verdict: String,
    pub document_type: String,
    pub document_number: String,
    pub note: String,
}

/// A participant as the pages show her.
#[derive(Clone, Debug)]
pub struct ParticipantView {
    pub row: Participant,
    pub required: bool,
}

/// A case's video check: its participants, who must be confirmed and whether the gate is open.
#[derive(Clone, Debug)]
pub struct VideoCheck {
    pub participants: Vec<ParticipantView>,
    /// A minor's case: the parents or guardians are checked instead of the person.
    pub guardians: bool,
    /// Whether the case needs the check (a case filed at the window does not).
    pub needs: bool,
    /// Why "identity verified" is still refused; `None` once it may be recorded.
    pub waiting: Option<GateError>,
    /// Whether the reader may add and take off participants.
    pub may_edit: bool,
    /// Whether the reader holds the booked check and may record now.
    pub may_record: bool,
    /// The booked check's room, when it is open and the reader may enter it.
    pub room: Option<String>,
}

/// Who someone is in a check's room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomRole {
    Officer,
    /// The applicant, the station or agent that filed, or a participant on her own device.
    Participant,
}

/// Admission to a booked check's room.
#[derive(Clone, Debug)]
pub struct RoomPass {
    pub slot: SlotView,
    pub case_id: String,
    pub case_number: String,
    pub role: RoomRole,
    /// The name the other side sees.
    pub name: String,
    pub check: VideoCheck,
    /// The STUN and TURN servers her browser may use, with her own TURN credentials.
    pub ice: RoomIce,
}

/// What an admitted browser is told to connect with: the configured STUN servers, the TURN
/// relays with credentials of her own that end when the room closes, and the transport policy.
#[derive(Clone, Debug)]
pub struct RoomIce {
    pub stun: Vec<String>,
    pub turn: Vec<String>,
    /// For `turn`; `None` when no relay is configured.
    pub credentials: Option<TurnCredentials>,
    /// `all` or `relay`.
    pub policy: &'static str,
}

fn invalid(e: qiaoyi_domain::video_check::CheckError) -> AppError {
    AppError::Invalid {
        field: e.field(),
        reason: e.reason(),
        message: e.to_string(),
    }
}

fn not_found_case(e: AppError) -> AppError {
    match e {
        AppError::NotFound(_) | AppError::Forbidden(_) => AppError::NotFound("this case".into()),
        other => other,
    }
}

impl App {
    fn guardians_for(case: &Case, now: i64) -> bool {
        guardians_needed(
            case.item.guardian_for_minors,
            case.is_minor(beijing_today(now)),
        )
    }

    fn views(case: &Case, rows: Vec<Participant>, now: i64) -> Vec<ParticipantView> {
        let guardians = Self::guardians_for(case, now);
        rows.into_iter()
            .map(|row| ParticipantView {
                required: is_required(row.role, guardians),
                row,
            })
            .collect()
    }

    /// Why "identity verified" may not be recorded yet, or `None`.
    fn waiting(case: &Case, rows: &[Participant], now: i64) -> Option<GateError> {
        let list: Vec<(Role, &str, Verdict)> = rows
            .iter()
            .map(|r| (r.role, r.name.as_str(), r.verdict))
            .collect();
        gate(
            needs_video_check(case.item.video_check, case.channel),
            Self::guardians_for(case, now),
            &list,
        )
        .err()
    }

    /// Refuses "identity verified" while the video check has not confirmed everyone it must.
    pub(crate) async fn check_video_gate(&self, case: &Case, now: i64) -> Result<(), AppError> {
        let rows = self.store.participants_of_case(&case.id).await?;
        match Self::waiting(case, &rows, now) {
            None => Ok(()),
            Some(e) => Err(AppError::Invalid {
                field: "video",
                reason: Reason::Malformed,
                message: e.to_string(),
            }),
        }
    }

    /// A case's video check for its page, for a reader who may read the case.
    pub async fn video_check(
        &self,
        caller: &Caller,
        case: &Case,
    ) -> Result<Option<VideoCheck>, AppError> {
        if !case.item.video_check {
            return Ok(None);
        }
        let rows = self.store.participants_of_case(&case.id).await?;
        let slot = self.store.booked_slot_of_case(&case.id).await?;
        let actor = caller.session().map(|s| &s.actor);
        let may = |action| actor.is_some_and(|a| decide(a, action, &case.resource()).is_allowed());
        let applicant_side = may(Action::SubmitCase);
        let may_edit = case.state.is_with_bureau() && (applicant_side || may(Action::ProcessCase));
        let holds = |s: &Slot| actor.is_some_and(|a| a.user_id == s.officer_id);
        let takes_part = actor.is_some_and(|a| {
            rows.iter()
                .any(|r| r.user_id.as_deref() == Some(a.user_id.as_str()))
        });
        let may_record = slot.as_ref().is_some_and(|s| {
            holds(s) && caller.now >= s.starts_at - qiaoyi_domain::video_check::OPENS_BEFORE_MS
        });
        let room = slot
            .as_ref()
            .filter(|s| {
                case.state.is_with_bureau() && room_open(s.starts_at, s.minutes, caller.now)
            })
            .filter(|s| holds(s) || applicant_side || takes_part)
            .map(|s| s.id.clone());
        Ok(Some(VideoCheck {
            waiting: Self::waiting(case, &rows, caller.now),
            guardians: Self::guardians_for(case, caller.now),
            needs: needs_video_check(case.item.video_check, case.channel),
            participants: Self::views(case, rows, caller.now),
            may_edit,
            may_record,
            room,
        }))
    }

    /// How a participant's document number is kept: a keyed MAC under the field key, bound to the
    /// case and marked as keyed (digests from before carry no mark and are compared the old way).
    fn video_number_digest(&self, case_id: &str, normalized: &str) -> String {
        let kind = format!("video-check:{case_id}");
        format!("{KEYED}{}", self.vault.blind_index(&kind, normalized))
    }

    /// Adds a participant to a case's video check: the applicant's side or the bureau, while the
    /// bureau has the case.
    pub async fn add_video_participant(
        &self,
        caller: &Caller,
        case_id: &str,
        input: &ParticipantInput,
    ) -> Result<ParticipantView, AppError> {
        let case = self.load_case(case_id).await.map_err(not_found_case)?;
        self.case_party(caller, &case).await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        if !case.item.video_check || !case.state.is_with_bureau() {
            return Err(AppError::Invalid {
                field: "case",
                reason: Reason::Malformed,
                message: "this case has no video check to take part in now".into(),
            });
        }
        let already = self.store.participants_of_case(&case.id).await?.len();
        let checked = participant(
            &input.role,
            &input.name,
            &input.document_type,
            &input.document_number,
            Self::guardians_for(&case, caller.now),
            already,
            &|n| self.video_number_digest(&case.id, n),
        )
        .map_err(invalid)?;
        let email = input.email.trim();
        let user_id = if email.is_empty() {
            None
        } else {
            let user = self
                .store
                .user_by_email(&email.to_lowercase())
                .await?
                .filter(|u| u.disabled_at.is_none())
                .ok_or_else(|| AppError::Invalid {
                    field: "email",
                    reason: Reason::Malformed,
                    message: "no account uses this address: ask her to sign up first, or leave it empty to take part on the applicant's device".into(),
                })?;
            Some(user.id)
        };
        let row = Participant {
            id: format!("vp-{}", random_hex(12)),
            case_id: case.id.clone(),
            role: checked.role,
            name: checked.name,
            user_id,
            document_type: checked.document,
            document_digest: checked.digest,
            verdict: Verdict::Pending,
            document_matched: None,
            note: String::new(),
            slot_id: None,
            recorded_by: None,
            recorded_at: None,
            added_by: actor.user_id.clone(),
            created_at: caller.now,
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::VideoParticipantAdded,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} {}", row.id, row.role.as_str());
        self.store.add_participant(&row, &record).await?;
        Ok(ParticipantView {
            required: is_required(checked.role, Self::guardians_for(&case, caller.now)),
            row,
        })
    }

    /// Takes a participant off a case's check while nothing has been recorded of her.
    pub async fn remove_video_participant(
        &self,
        caller: &Caller,
        case_id: &str,
        participant_id: &str,
    ) -> Result<(), AppError> {
        let case = self.load_case(case_id).await.map_err(not_found_case)?;
        self.case_party(caller, &case).await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let found = self
            .store
            .participant(participant_id)
            .await?
            .filter(|p| p.case_id == case.id)
            .ok_or_else(|| AppError::NotFound("this participant".into()))?;
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::VideoParticipantRemoved,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = found.id.clone();
        if !self
            .store
            .remove_participant(&found.id, &case.id, &record)
            .await?
        {
            return Err(AppError::Store(qiaoyi_store::StoreError::Conflict {
                kind: qiaoyi_store::ConflictKind::Recorded,
                message: "the officer has recorded this participant; she stays on the check".into(),
            }));
        }
        Ok(())
    }

    /// The officer holding a case's booked check records what she saw of one participant: from
    /// the room's opening on, once the document shown is matched against the one on file.
    pub async fn record_video_verdict(
        &self,
        caller: &Caller,
        case_id: &str,
        participant_id: &str,
        input: &VerdictInput,
    ) -> Result<ParticipantView, AppError> {
        self.authorize(caller, Action::HoldVideoChecks, &Resource::System)
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let slot = self
            .store
            .booked_slot_of_case(case_id)
            .await?
            .filter(|s| s.officer_id == actor.user_id)
            .ok_or_else(|| AppError::NotFound("this case's video check".into()))?;
        if caller.now < slot.starts_at - qiaoyi_domain::video_check::OPENS_BEFORE_MS {
            return Err(AppError::Invalid {
                field: "verdict",
                reason: Reason::NotOpenYet,
                message: "record once the check's room has opened, 30 minutes before its time"
                    .into(),
            });
        }
        let case = self.load_case(case_id).await?;
        let found = self
            .store
            .participant(participant_id)
            .await?
            .filter(|p| p.case_id == case.id)
            .ok_or_else(|| AppError::NotFound("this participant".into()))?;
        let keyed = |n: &str| self.video_number_digest(&case.id, n);
        let legacy = |n: &str| legacy_number_digest(&case.id, n);
        let digest: NumberDigest = if found.document_digest.starts_with(KEYED) {
            &keyed
        } else {
            &legacy
        };
        let judged = judge(
            (found.document_type, &found.document_digest),
            &input.verdict,
            &input.document_type,
            &input.document_number,
            &input.note,
            digest,
        )
        .map_err(invalid)?;
        // An old unkeyed digest that the number shown just matched is kept keyed from now on.
        let kept_digest = match (judged.matched, normalize_number(&input.document_number)) {
            (Some(true), Ok(n)) if !found.document_digest.starts_with(KEYED) => keyed(&n),
            _ => found.document_digest.clone(),
        };
        let matched = match judged.matched {
            Some(true) => " · document matched",
            Some(false) => " · document did not match",
            None => "",
        };
        let event_note = format!(
            "{} ({}): {}{matched}{}",
            found.name,
            found.role.as_str(),
            judged.verdict.as_str().replace('_', " "),
            if judged.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", judged.note)
            }
        );
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::VideoVerdict,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("{} {}", found.id, judged.verdict.as_str());
        self.store
            .record_verdict(
                &VerdictWrite {
                    participant_id: &found.id,
                    case_id: &case.id,
                    slot_id: &slot.id,
                    verdict: judged.verdict.as_str(),
                    matched: judged.matched,
                    document_digest: &kept_digest,
                    note: &judged.note,
                    officer_id: &actor.user_id,
                    role: "officer",
                    event_note: &event_note,
                },
                caller.now,
                &record,
            )
            .await?;
        let row = self
            .store
            .participant(&found.id)
            .await?
            .ok_or_else(|| AppError::NotFound("this participant".into()))?;
        Ok(Self::views(&case, vec![row], caller.now).remove(0))
    }

    /// Admits someone to the room of a booked check: its officer, the case's applicant side, or a
    /// participant on her own device, while the room is open. Anyone else is refused, and the
    /// attempt is audited.
    pub async fn video_room(
        &self,
        caller: &Caller,
        slot_id: &str,
        time_zone: &str,
    ) -> Result<RoomPass, AppError> {
        let current = caller.session().ok_or(AppError::Unauthenticated)?;
        if !current.is_complete() {
            return Err(AppError::SecondFactorRequired);
        }
        let actor = &current.actor;
        let slot = self
            .store
            .slot(slot_id)
            .await?
            .filter(|s| s.state == SlotState::Booked)
            .ok_or_else(|| AppError::NotFound("this video check".into()))?;
        let case_id = slot.case_id.clone().unwrap_or_default();
        let case = self.load_case(&case_id).await?;
        let participant = self.store.is_participant(&case.id, &actor.user_id).await?;
        let room = case.video_room(&slot.officer_id, participant);
        // Refused callers are audited by `authorize`, as every refusal is.
        self.authorize(caller, Action::EnterVideoRoom, &room)
            .await?;
        let role = if slot.officer_id == actor.user_id {
            RoomRole::Officer
        } else {
            RoomRole::Participant
        };
        if !room_open(slot.starts_at, slot.minutes, caller.now) || !case.state.is_with_bureau() {
            return Err(AppError::Invalid {
                field: "room",
                reason: Reason::Malformed,
                message: "the room opens 30 minutes before the check and closes an hour after it"
                    .into(),
            });
        }
        let name = self
            .store
            .user_by_id(&actor.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let tz = if slot.booker_time_zone.is_empty() || role == RoomRole::Officer {
            if time_zone.trim().is_empty() {
                "Asia/Shanghai".to_owned()
            } else {
                time_zone.trim().to_owned()
            }
        } else {
            slot.booker_time_zone.clone()
        };
        let check = self
            .video_check(caller, &case)
            .await?
            .ok_or_else(|| AppError::NotFound("this video check".into()))?;
        let mut record = self.audit_record(
            Some(actor),
            Action::EnterVideoRoom,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("case {}", case.number);
        record.person = case.applicant_id.clone().unwrap_or_default();
        self.store.audit(&record).await?;
        let closes = slot.starts_at + slot.minutes * 60_000 + STAYS_AFTER_MS;
        let ice = self.room_ice(&actor.user_id, closes);
        Ok(RoomPass {
            ice,
            slot: self.slot_view(slot, &tz),
            case_number: case.number.clone(),
            case_id: case.id,
            role,
            name,
            check,
        })
    }

    /// The servers and `participant`'s TURN credentials, valid until the room `closes` (ms).
    fn room_ice(&self, participant: &str, closes: i64) -> RoomIce {
        let (turn, stun): (Vec<String>, Vec<String>) = self
            .config
            .ice_servers
            .iter()
            .cloned()
            // Checked when the configuration was read.
            .partition(|u| IceUrl::parse(u).is_ok_and(|u| u.scheme.is_turn()));
        let credentials = match &self.config.turn_secret {
            Some(secret) if !turn.is_empty() => Some(turn_credentials(
                secret.0.as_bytes(),
                participant,
                closes.div_euclid(1000),
            )),
            _ => None,
        };
        RoomIce {
            stun,
            turn,
            credentials,
            policy: self.config.ice_transport_policy.as_str(),
        }
    }

    /// Whether a room someone is in is still open: its check still booked and within its time.
    pub async fn room_still_open(&self, slot_id: &str, now: i64) -> Result<bool, AppError> {
        Ok(self.store.slot(slot_id).await?.is_some_and(|s| {
            s.state == SlotState::Booked && room_open(s.starts_at, s.minutes, now)
        }))
    }
}
