//! The working-day calendar as the bureau runs it: the years imported from the State Council's
//! notices, deadlines counted on them (provisional in a year without its notice), the import that
//! recounts open cases, and what administrators see of it.

use std::collections::HashMap;

use jiff::civil::Date;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::calendar::{Deadline, MissingYear, WorkCalendar, YearCalendar};
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{CalendarImport, DeadlineChange, NewMessage};

use crate::cases::Case;
use crate::{App, AppError, Caller};

/// Today in Beijing, where the bureau's working days are counted.
pub fn beijing_today(now_ms: i64) -> Date {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or_default()
        .to_zoned(tz)
        .date()
}

/// What importing a year's file did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarImported {
    pub year: i16,
    /// False when the same file was in force already: nothing was written.
    pub changed: bool,
    /// Open cases whose deadline was counted again (now official, or moved).
    pub recounted: usize,
    /// Of those, the cases whose day moved: their applicants are told.
    pub moved: usize,
}

/// One year as administrators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearStatus {
    pub year: i16,
    /// The notice it comes from; empty while provisional.
    pub source: String,
    /// Counted on the national regulation's holidays and weekends: no file is imported.
    pub provisional: bool,
}

/// The calendar's years from the first imported (or this year) to next year, and the warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarStatus {
    pub years: Vec<YearStatus>,
    /// From 1 November while next year has no file.
    pub next_year_missing: Option<i16>,
}

/// A day counted again on the calendar as it will be: `Some((old, new))` when it changes (or stops
/// being provisional). Only days that were provisional or counted days of `year` are looked at; a
/// count beyond the years known keeps the day it has.
fn recounted(
    calendar: &WorkCalendar,
    year: i16,
    from: Date,
    working_days: u16,
    old: Date,
    was_provisional: bool,
) -> Option<(Date, Deadline)> {
    let touches = from.year() <= year && old.year() >= year;
    if !was_provisional && !touches {
        return None;
    }
    let new = calendar.deadline(from, working_days).ok()?;
    (new.date != old || new.provisional != was_provisional).then_some((old, new))
}

/// What importing changes in the open cases.
struct Recount {
    changes: Vec<DeadlineChange>,
    messages: Vec<NewMessage>,
    moved: usize,
}

impl App {
    /// The working-day calendar from every imported year.
    pub async fn work_calendar(&self) -> Result<WorkCalendar, AppError> {
        let years = self
            .store
            .calendar_years()
            .await?
            .into_iter()
            .map(|(year, body)| YearCalendar::parse(&format!("{year}.toml"), &body))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Calendar(e.to_string()))?;
        WorkCalendar::new(years).map_err(|e| AppError::Calendar(e.to_string()))
    }

    /// The next year, from 1 November (Beijing) while it has no official calendar: administrators
    /// are warned, since deadlines reaching into it are provisional. Asked by every readiness probe,
    /// so it reads which years exist, not their files.
    pub async fn calendar_missing_next_year(&self, now: i64) -> Result<Option<i16>, AppError> {
        let official: Vec<i16> = self
            .store
            .calendar_year_numbers()
            .await?
            .into_iter()
            .filter_map(|y| i16::try_from(y).ok())
            .collect();
        Ok(qiaoyi_domain::calendar::next_year_missing(
            beijing_today(now),
            &official,
        ))
    }

    /// The day a case accepted on `from` is due, `working_days` working days later, and whether it
    /// rests on a provisional year.
    pub async fn deadline(&self, from: Date, working_days: u16) -> Result<Deadline, AppError> {
        let calendar = self.work_calendar().await?;
        calendar
            .deadline(from, working_days)
            .map_err(|MissingYear { year }| AppError::NoCalendar(year))
    }

    /// The years administrators manage: each imported one with its notice, and the provisional
    /// ones up to next year.
    pub async fn calendar_status(&self, caller: &Caller) -> Result<CalendarStatus, AppError> {
        self.authorize(caller, Action::ManageCatalogue, &Resource::System)
            .await?;
        let calendar = self.work_calendar().await?;
        let today = beijing_today(caller.now);
        let next = today.year().saturating_add(1);
        let first = calendar
            .years()
            .next()
            .unwrap_or(today.year())
            .min(today.year());
        let last = calendar.years().last().unwrap_or(next).max(next);
        let years = (first..=last)
            .map(|year| match calendar.year(year) {
                Some(official) => YearStatus {
                    year,
                    source: official.source().to_owned(),
                    provisional: false,
                },
                None => YearStatus {
                    year,
                    source: String::new(),
                    provisional: true,
                },
            })
            .collect();
        Ok(CalendarStatus {
            years,
            next_year_missing: qiaoyi_domain::calendar::next_year_missing(
                today,
                &calendar.years().collect::<Vec<_>>(),
            ),
        })
    }

    /// Checks a year's calendar file and makes it the calendar of that year, recounting the
    /// deadlines of the open cases it changes in the same transaction. Without a session (the
    /// command line) nobody is asked; with one, only those who manage the catalogue may.
    pub async fn import_calendar(
        &self,
        caller: &Caller,
        file_name: &str,
        text: &str,
    ) -> Result<CalendarImported, AppError> {
        if caller.session().is_some() {
            self.authorize(caller, Action::ManageCatalogue, &Resource::System)
                .await?;
        }
        let year =
            YearCalendar::parse(file_name, text).map_err(|e| AppError::Calendar(e.to_string()))?;
        let unchanged = self
            .store
            .calendar_years()
            .await?
            .iter()
            .any(|(y, body)| *y == i64::from(year.year()) && body == text);
        if unchanged {
            return Ok(CalendarImported {
                year: year.year(),
                changed: false,
                recounted: 0,
                moved: 0,
            });
        }
        let recount = self.recount_deadlines(caller, &year).await?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::CalendarImported,
            (AuditSubject::Calendar, &year.year().to_string()),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .import_calendar_year(
                &CalendarImport {
                    year: i64::from(year.year()),
                    source: year.source(),
                    body: text,
                    changes: &recount.changes,
                    messages: &recount.messages,
                },
                caller.now,
                &record,
            )
            .await?;
        Ok(CalendarImported {
            year: year.year(),
            changed: true,
            recounted: recount.changes.len(),
            moved: recount.moved,
        })
    }

    /// The deadlines of open cases as `year`'s file would count them: each case whose deadline was
    /// provisional, or counted days of `year`, is counted again from its day of acceptance; the
    /// applicant is told when the day moves.
    async fn recount_deadlines(
        &self,
        caller: &Caller,
        year: &YearCalendar,
    ) -> Result<Recount, AppError> {
        // The calendar as it will be: the other years as imported, this one from the file.
        let current = self.work_calendar().await?;
        let mut years: Vec<YearCalendar> = current
            .years()
            .filter(|y| *y != year.year())
            .filter_map(|y| current.year(y).cloned())
            .collect();
        years.push(year.clone());
        let calendar = WorkCalendar::new(years).map_err(|e| AppError::Calendar(e.to_string()))?;
        let rows = self.store.cases_with_deadline().await?;
        // When each green channel was granted (Beijing) and for how many working days.
        let green_starts: HashMap<String, (Date, u16)> = self
            .store
            .approved_green_channels()
            .await?
            .into_iter()
            .filter_map(|(case_id, decided_at, days)| {
                Some((
                    case_id,
                    (beijing_today(decided_at), u16::try_from(days).ok()?),
                ))
            })
            .collect();
        let mut recount = Recount {
            changes: Vec::new(),
            messages: Vec::new(),
            moved: 0,
        };
        for case in self.cases_from_rows(rows).await? {
            let deadline = match (case.accepted_at, case.deadline) {
                (Some(accepted_at), Some(old)) => recounted(
                    &calendar,
                    year.year(),
                    beijing_today(accepted_at),
                    case.item.time_limit_days,
                    old,
                    case.deadline_provisional,
                ),
                _ => None,
            };
            let green = match (case.green_due, green_starts.get(&case.id)) {
                (Some(old), Some(&(decided_on, days))) => recounted(
                    &calendar,
                    year.year(),
                    decided_on,
                    days,
                    old,
                    case.green_due_provisional,
                ),
                _ => None,
            };
            if deadline.is_none() && green.is_none() {
                continue;
            }
            let record = self.audit_record(
                caller.session().map(|s| &s.actor),
                AuditEvent::CaseDeadlineRecounted,
                (AuditSubject::Case, &case.id),
                "ok",
                &caller.client,
                caller.now,
            );
            let mut notes = Vec::new();
            for (label, change) in [("", deadline), ("green channel ", green)] {
                if let Some((old, new)) = change {
                    let mark = if new.provisional {
                        " (provisional)"
                    } else {
                        ""
                    };
                    notes.push(format!("{label}{old} → {}{mark}", new.date));
                }
            }
            recount.changes.push(DeadlineChange {
                case_id: case.id.clone(),
                deadline: deadline.map(|(_, new)| (new.date.to_string(), new.provisional)),
                green_due: green.map(|(_, new)| (new.date.to_string(), new.provisional)),
                note: notes.join("; "),
                record,
            });
            // The applicant hears of the day the bureau now decides by: the green channel's when
            // she is in it, else the deadline.
            let told = green
                .filter(|(old, new)| old != &new.date)
                .or(deadline.filter(|(old, new)| old != &new.date));
            if let Some((old, new)) = told {
                recount.moved += 1;
                recount
                    .messages
                    .extend(self.deadline_moved_notices(&case, old, new).await?);
            }
        }
        Ok(recount)
    }

    /// The applicant's notice that her deadline moved with the official calendar.
    async fn deadline_moved_notices(
        &self,
        case: &Case,
        old: Date,
        new: Deadline,
    ) -> Result<Vec<NewMessage>, AppError> {
        self.applicant_messages(case, Notice::CaseDeadlineMoved, |lang, params| {
            params.insert("from".into(), old.to_string().into());
            params.insert("to".into(), crate::notify::deadline_text(new, lang).into());
        })
        .await
    }
}
