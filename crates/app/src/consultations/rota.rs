//! The consultants' rota: each consultant's weekly shifts (opening hours in Beijing time), who is
//! on shift now, the gaps nobody covers, and administrators setting the shifts.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Grant, Resource};
use qiaoyi_domain::catalog::OpeningHours;
use qiaoyi_domain::catalog::station::{format_hours, parse_hours};
use qiaoyi_domain::consultations::Consultant;
use qiaoyi_domain::consultations::{WeekMinute, gaps, on_shift};

use super::invalid;
use crate::{App, AppError, Caller};

/// A consultant's shifts, read.
#[derive(Clone, Debug)]
pub struct Shifts {
    pub consultant: Consultant,
    pub hours: Vec<OpeningHours>,
    pub on_shift: bool,
}

/// Everyone's shifts and what they leave uncovered.
#[derive(Clone, Debug)]
pub struct Rota {
    pub consultants: Vec<Shifts>,
    /// Week minutes (Monday 00:00 Beijing = 0) nobody covers.
    pub gaps: Vec<(u32, u32)>,
}

/// A week's shifts take a few lines; this is far more than any needs.
const MAX_SHIFT_TEXT: usize = 2000;

pub(super) fn parse_shift_text(row: &Consultant) -> Vec<OpeningHours> {
    // Stored text was checked when saved; a row that no longer parses counts as no shift.
    parse_hours(&row.hours).unwrap_or_default()
}

impl App {
    /// Everyone's shifts, who is on shift now, and the gaps (consultants and administrators).
    pub async fn rota(&self, caller: &Caller) -> Result<Rota, AppError> {
        let is_admin = caller
            .session()
            .is_some_and(|s| s.actor.grants.contains(&Grant::Admin));
        let action = if is_admin {
            Action::ManageUsers
        } else {
            Action::AnswerConsultation
        };
        self.authorize(caller, action, &Resource::System).await?;
        let at = WeekMinute::of_instant(caller.now);
        let consultants: Vec<Shifts> = self
            .store
            .consultants()
            .await?
            .into_iter()
            .map(|c| {
                let hours = parse_shift_text(&c);
                Shifts {
                    on_shift: on_shift(&hours, at),
                    hours,
                    consultant: c,
                }
            })
            .collect();
        let schedules: Vec<Vec<OpeningHours>> =
            consultants.iter().map(|s| s.hours.clone()).collect();
        Ok(Rota {
            gaps: gaps(&schedules)
                .into_iter()
                .map(|(a, b)| (a.get(), b.get()))
                .collect(),
            consultants,
        })
    }

    /// Sets a consultant's weekly shifts (administrators), written as opening hours in Beijing
    /// time, one period per line.
    pub async fn set_shifts(
        &self,
        caller: &Caller,
        consultant_id: &str,
        hours: &str,
    ) -> Result<(), AppError> {
        self.authorize(caller, Action::ManageUsers, &Resource::System)
            .await?;
        if !self
            .store
            .consultants()
            .await?
            .iter()
            .any(|c| c.id == consultant_id)
        {
            return Err(AppError::NotFound("this consultant".into()));
        }
        if hours.chars().count() > MAX_SHIFT_TEXT {
            return Err(invalid(
                "hours",
                format!("write the shifts in at most {MAX_SHIFT_TEXT} characters"),
            ));
        }
        let parsed = parse_hours(hours)
            .map_err(|e| invalid("hours", format!("line {}: {}", e.line, e.message)))?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::ShiftsSet,
            (AuditSubject::Account, consultant_id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .set_shifts(consultant_id, &format_hours(&parsed), caller.now, &record)
            .await?;
        Ok(())
    }
}
