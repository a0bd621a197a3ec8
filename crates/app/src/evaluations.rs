//! Public evaluation of every service (好差评). A visitor rates her hall visit once it is served
//! (her number's secret is the proof), an applicant her case once it is closed; on the pages or
//! over the API. A poor rating opens a follow-up due in 15 working days (the bureau's calendar,
//! in Beijing) for the leaders of the station it was given at, or the bureau's duty leaders; it is
//! closed only with the note of the call-back to her. Everyone may read the satisfaction rates,
//! which hold counts only.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Grant, Resource};
use qiaoyi_domain::cases::CaseState;
use qiaoyi_domain::evaluation::{
    Counts, Evaluation, FOLLOW_UP_WORKING_DAYS, Subject, check_callback_note, check_rating,
};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::hall::TicketState;
use qiaoyi_store::NewEvaluation;

use crate::accounts::random_hex;
use crate::calendar::beijing_today;
use crate::{App, AppError, Caller};

/// The most follow-ups a list shows.
const FOLLOW_UPS_SHOWN: i64 = 500;

/// A rating as she typed it.
#[derive(Clone, Debug, Default)]
pub struct RatingInput {
    pub level: String,
    pub reasons: Vec<String>,
    pub comment: String,
}

/// Satisfaction figures: by station, by service and by month, each with its counts by level.
#[derive(Clone, Debug, Default)]
pub struct Satisfaction {
    /// The months counted, `YYYY-MM`.
    pub from: String,
    pub to: String,
    pub all: Counts,
    /// `None` for the bureau's own cases.
    pub by_station: Vec<(Option<String>, Counts)>,
    pub by_service: Vec<(String, Counts)>,
    pub by_month: Vec<(String, Counts)>,
}

fn add_to<K: PartialEq + Clone>(
    list: &mut Vec<(K, Counts)>,
    key: &K,
    level: qiaoyi_domain::evaluation::Level,
    n: u64,
) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, counts)) => counts.add(level, n),
        None => {
            let mut counts = Counts::default();
            counts.add(level, n);
            list.push((key.clone(), counts));
        }
    }
}

impl App {
    /// She rates her hall visit, once it is served, by her number's secret.
    pub async fn rate_hall_visit(
        &self,
        caller: &Caller,
        secret: &str,
        input: &RatingInput,
        channel: &str,
    ) -> Result<Evaluation, AppError> {
        let ticket = self.followed_number(secret).await?;
        if ticket.state != TicketState::Served {
            return Err(AppError::refused(
                "ticket",
                Reason::WrongState,
                "a visit is rated once it has been served",
            ));
        }
        let about = About {
            subject: Subject::HallVisit,
            subject_id: &ticket.id,
            station: Some(ticket.station.as_str()),
            service: ticket.group.as_str(),
            label: &ticket.label,
        };
        self.keep_rating(caller, &about, input, channel).await
    }

    /// The applicant rates her case, once it is closed.
    pub async fn rate_case(
        &self,
        caller: &Caller,
        case_id: &str,
        input: &RatingInput,
        channel: &str,
    ) -> Result<Evaluation, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        // Someone else's case is not found, as one that does not exist.
        let case = match self.load_case(case_id).await {
            Ok(case) if case.applicant_id.as_deref() == Some(me) => case,
            Ok(_) | Err(AppError::NotFound(_)) => {
                return Err(AppError::NotFound("this case".into()));
            }
            Err(e) => return Err(e),
        };
        if case.state != CaseState::Closed {
            return Err(AppError::refused(
                "case",
                Reason::WrongState,
                "a case is rated once it is closed",
            ));
        }
        let about = About {
            subject: Subject::Case,
            subject_id: &case.id,
            station: case.station.as_ref().map(|s| s.as_str()),
            service: case.item.category.as_str(),
            label: &case.number,
        };
        self.keep_rating(caller, &about, input, channel).await
    }

    /// The rating of one thing, if given: her number's page and the case page show it.
    pub async fn evaluation_of(
        &self,
        subject: Subject,
        subject_id: &str,
    ) -> Result<Option<Evaluation>, AppError> {
        Ok(self.store.evaluation_of(subject, subject_id).await?)
    }

    async fn keep_rating(
        &self,
        caller: &Caller,
        about: &About<'_>,
        input: &RatingInput,
        channel: &str,
    ) -> Result<Evaluation, AppError> {
        let rating = check_rating(&input.level, &input.reasons, &input.comment)
            .map_err(|e| AppError::refused(e.field(), e.reason(), e.message()))?;
        let today = beijing_today(caller.now);
        let due = if rating.level.is_poor() {
            let working_days = u16::try_from(FOLLOW_UP_WORKING_DAYS).unwrap_or(15);
            Some(self.deadline(today, working_days).await?)
        } else {
            None
        };
        let due_on = due.as_ref().map(|d| d.date.to_string());
        let id = format!("ev-{}", random_hex(12));
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::EvaluationGiven,
            (AuditSubject::Evaluation, &id),
            "ok",
            &caller.client,
            caller.now,
        );
        let month = today.strftime("%Y-%m").to_string();
        self.store
            .keep_evaluation(
                &NewEvaluation {
                    id: &id,
                    subject: about.subject,
                    subject_id: about.subject_id,
                    station: about.station,
                    service: about.service,
                    label: about.label,
                    rating: &rating,
                    channel,
                    rated_at: caller.now,
                    month: &month,
                    follow_up: due_on.as_deref().zip(due.map(|d| d.provisional)),
                },
                &record,
            )
            .await?;
        self.store
            .evaluation(&id)
            .await?
            .ok_or_else(|| AppError::NotFound("the rating just given".into()))
    }

    /// The follow-ups the caller's roles reach: her stations' ones for station staff, all of them
    /// for the bureau's duty leaders; open ones first by the day they are due.
    pub async fn follow_ups(&self, caller: &Caller) -> Result<Vec<Evaluation>, AppError> {
        self.authorize(caller, Action::FollowUpEvaluation, &Resource::System)
            .await?;
        let grants = caller
            .session()
            .map(|s| s.actor.grants.clone())
            .unwrap_or_default();
        if grants.contains(&Grant::DutyLeader) {
            return Ok(self.store.follow_ups(None, FOLLOW_UPS_SHOWN).await?);
        }
        let mut reached = Vec::new();
        for grant in &grants {
            if let Grant::Station(code) = grant {
                reached.extend(
                    self.store
                        .follow_ups(Some(code.as_str()), FOLLOW_UPS_SHOWN)
                        .await?,
                );
            }
        }
        // Several stations' lists in one order: open first by the day due, then newest closed.
        reached.sort_by_key(|e| {
            let f = e.follow_up.as_ref();
            let open = f.is_some_and(|f| f.closed_at.is_none());
            (
                !open,
                if open { f.map(|f| f.due_on) } else { None },
                std::cmp::Reverse(f.and_then(|f| f.closed_at)),
            )
        });
        Ok(reached)
    }

    /// Closes a follow-up with the note of the call-back to her.
    pub async fn close_follow_up(
        &self,
        caller: &Caller,
        id: &str,
        note: &str,
    ) -> Result<Evaluation, AppError> {
        let evaluation = self
            .store
            .evaluation(id)
            .await?
            .filter(|e| e.follow_up.is_some())
            .ok_or_else(|| AppError::NotFound("this follow-up".into()))?;
        self.authorize(
            caller,
            Action::FollowUpEvaluation,
            &Resource::Evaluation {
                station: evaluation.station.as_ref(),
            },
        )
        .await?;
        let note = check_callback_note(note)
            .map_err(|e| AppError::refused(e.field(), e.reason(), e.message()))?;
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            AuditEvent::FollowUpClosed,
            (AuditSubject::Evaluation, id),
            "ok",
            &caller.client,
            caller.now,
        );
        let by = actor.map(|a| a.user_id.as_str()).unwrap_or_default();
        if !self
            .store
            .close_follow_up(id, by, &note, caller.now, &record)
            .await?
        {
            return Err(AppError::refused(
                "note",
                Reason::WrongState,
                "this follow-up was closed already",
            ));
        }
        self.store
            .evaluation(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this follow-up".into()))
    }

    /// The satisfaction rates of the twelve months up to `now` (Beijing): counts only, for
    /// anyone.
    pub async fn satisfaction(&self, now: i64) -> Result<Satisfaction, AppError> {
        let today = beijing_today(now);
        let to = today.strftime("%Y-%m").to_string();
        let first = today
            .first_of_month()
            .checked_sub(jiff::Span::new().months(11))
            .unwrap_or(today);
        let from = first.strftime("%Y-%m").to_string();
        let mut figures = Satisfaction {
            from: from.clone(),
            to: to.clone(),
            ..Satisfaction::default()
        };
        for c in self.store.evaluation_counts(&from, &to).await? {
            figures.all.add(c.level, c.count);
            add_to(&mut figures.by_station, &c.station, c.level, c.count);
            add_to(&mut figures.by_service, &c.service, c.level, c.count);
            add_to(&mut figures.by_month, &c.month, c.level, c.count);
        }
        Ok(figures)
    }
}

/// What a rating is about.
struct About<'a> {
    subject: Subject,
    subject_id: &'a str,
    station: Option<&'a str>,
    service: &'a str,
    label: &'a str,
}
