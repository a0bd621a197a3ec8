//! A station's service hall. A visitor takes a number at the hall's kiosk or on her phone (after
//! scanning the hall's QR code), or staff give her one at reception; her phone follows it by a
//! secret address (only its hash is kept) and shows her place and the estimated wait. Staff call
//! the next number to their window by the hall's rules (`domain::hall::next`), recall it, send it
//! to another group, and mark it served or not come; the hall's display shows and speaks the
//! calls. Numbers are unique per hall and day on every node (the store's counter row).

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::catalog::{CategoryCode, Station, StationCode};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::hall::{
    self, CallReason, Priority, QueueRules, TakenVia, Ticket, TicketState, Waiting,
};
use qiaoyi_domain::lang::{Lang, Text};
use qiaoyi_store::{HallCall, NewHallTicket};

use crate::accounts::random_hex;
use crate::{App, AppError, Caller};

/// A service group of a hall: a catalogue category and the letter its numbers carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HallGroup {
    pub code: CategoryCode,
    pub letter: char,
    pub name: Text,
}

/// A hall as its public pages show it: the station, its groups and rules, whether it is open.
#[derive(Clone, Debug)]
pub struct Hall {
    pub station: Station,
    pub groups: Vec<HallGroup>,
    pub rules: QueueRules,
    pub open: bool,
    /// The hall's own day now.
    pub day: String,
    /// The hour of its day now.
    pub hour: u8,
}

/// What a visitor asks for when she takes a number.
#[derive(Clone, Debug, Default)]
pub struct TakeInput {
    pub group: String,
    /// A priority she claims (or staff note), by its name; empty for none.
    pub priority: String,
    pub lang: Option<Lang>,
}

/// A number just taken, with the secret her phone follows it by.
#[derive(Clone, Debug)]
pub struct TakenNumber {
    pub ticket: Ticket,
    pub follow: String,
}

/// A number as her phone shows it.
#[derive(Clone, Debug)]
pub struct FollowedNumber {
    pub ticket: Ticket,
    pub hall: Hall,
    /// Numbers to be called before hers; `None` once it is not waiting.
    pub ahead: Option<u32>,
    pub wait_ms: Option<i64>,
    /// Three or fewer before her: she should come close.
    pub near: bool,
}

/// The hall's day as staff and the display see it.
#[derive(Clone, Debug)]
pub struct HallDay {
    pub hall: Hall,
    /// Every number of the day, in the order taken.
    pub tickets: Vec<Ticket>,
}

impl Hall {
    /// The hall as it stands at `now`: open or not, its day and hour, in its zone.
    pub fn at(mut self, now: i64) -> Hall {
        let zone =
            jiff::tz::TimeZone::get(&self.station.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        self.open = hall::open_at(&self.station, now);
        self.day = hall::hall_day(now, &zone).to_string();
        self.hour = hall::hall_hour(now, &zone);
        self
    }
}

impl HallDay {
    pub fn waiting(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets
            .iter()
            .filter(|t| t.state == TicketState::Waiting)
    }

    /// The numbers at a window now, latest call first.
    pub fn called(&self) -> Vec<&Ticket> {
        let mut called: Vec<&Ticket> = self
            .tickets
            .iter()
            .filter(|t| t.state == TicketState::Called)
            .collect();
        called.sort_by_key(|t| std::cmp::Reverse((t.called_at, t.number)));
        called
    }

    /// How many priority calls in a row the hall has just made.
    pub fn run(&self) -> u32 {
        let mut first_calls: Vec<(i64, u32, CallReason)> = self
            .tickets
            .iter()
            .filter_map(|t| Some((t.first_called_at?, t.number, t.call_reason?)))
            .collect();
        first_calls.sort_by_key(|(at, number, _)| std::cmp::Reverse((*at, *number)));
        let newest_first: Vec<CallReason> = first_calls.into_iter().map(|(_, _, r)| r).collect();
        hall::priority_run(&newest_first)
    }

    fn queue(&self) -> Vec<Waiting> {
        self.waiting().map(Ticket::waiting).collect()
    }

    /// The mean time from the latest call to served, over the day's served numbers of `group`.
    fn mean_service_ms(&self, group: &CategoryCode) -> Option<i64> {
        let times: Vec<i64> = self
            .tickets
            .iter()
            .filter(|t| t.state == TicketState::Served && t.group == *group)
            .filter_map(|t| Some(t.done_at? - t.called_at?))
            .collect();
        (!times.is_empty()).then(|| times.iter().sum::<i64>() / times.len() as i64)
    }

    /// Windows that called a number of `group` within the last half hour: how many serve it now.
    fn windows_for(&self, group: &CategoryCode, now: i64) -> u32 {
        let mut windows: Vec<&str> = self
            .tickets
            .iter()
            .filter(|t| t.group == *group && t.called_at.is_some_and(|at| now - at < 30 * 60_000))
            .filter_map(|t| t.window.as_deref())
            .collect();
        windows.sort_unstable();
        windows.dedup();
        windows.len() as u32
    }
}

/// A call to a window as staff ask for it.
#[derive(Clone, Debug, Default)]
pub struct CallInput {
    pub window: String,
    /// The groups the window serves; empty for all.
    pub groups: Vec<String>,
}

/// What staff do to a called number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketMove {
    Recall,
    Served,
    NoShow,
}

/// How often a call is tried again when another window called the chosen number first.
const CALL_TRIES: usize = 5;

fn follow_hash(secret: &str) -> String {
    sha256_hex(format!("hall-follow:{secret}").as_bytes())
}

fn station_code(code: &str) -> Result<StationCode, AppError> {
    code.parse()
        .map_err(|_| AppError::NotFound(format!("station {code}")))
}

impl App {
    /// A hall by its station's code.
    pub async fn hall(&self, station: &str, now: i64) -> Result<Hall, AppError> {
        let code = station_code(station)?;
        let station = self
            .store
            .station(code.as_str())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("station {code}")))?;
        let groups = self
            .categories()
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, c)| HallGroup {
                code: c.code,
                letter: hall::group_letter(i),
                name: c.name,
            })
            .collect();
        let rules = self
            .store
            .hall_rules(code.as_str())
            .await?
            .unwrap_or_default();
        Ok(Hall {
            open: false,
            day: String::new(),
            hour: 0,
            station,
            groups,
            rules,
        }
        .at(now))
    }

    /// Takes a number: on her phone (anyone, while the hall is open), at the kiosk (a device the
    /// hall's staff signed in) or at reception by the hall's staff. At the kiosk and on her phone
    /// she claims only the priorities a visitor may claim; at reception staff note any.
    pub async fn take_hall_number(
        &self,
        caller: &Caller,
        station: &str,
        via: TakenVia,
        input: &TakeInput,
    ) -> Result<TakenNumber, AppError> {
        let hall = self.hall(station, caller.now).await?;
        if via != TakenVia::Phone {
            self.authorize(
                caller,
                Action::ServeHall,
                &Resource::Hall {
                    station: &hall.station.code,
                },
            )
            .await?;
        } else if !hall.open {
            return Err(AppError::refused(
                "hall",
                Reason::NotOpenYet,
                "the hall is closed now: come back in its opening hours",
            ));
        }
        let group = hall
            .groups
            .iter()
            .find(|g| g.code.as_str() == input.group)
            .ok_or_else(|| AppError::malformed("group", "choose the service you came for"))?;
        let priority = match input.priority.as_str() {
            "" => None,
            text => match Priority::parse(text) {
                Some(p) if via == TakenVia::Reception || p.claimable() => Some(p),
                _ => {
                    return Err(AppError::malformed(
                        "priority",
                        "choose over 70, a disability or pregnancy, or none",
                    ));
                }
            },
        };
        let follow = random_hex(16);
        let id = format!("h-{}", random_hex(12));
        let ticket = self
            .store
            .take_hall_number(&NewHallTicket {
                id: &id,
                station: hall.station.code.as_str(),
                day: &hall.day,
                letter: group.letter,
                group: group.code.as_str(),
                priority,
                via,
                lang: input.lang.unwrap_or(Lang::Zh),
                follow_hash: &follow_hash(&follow),
                now: caller.now,
                hour: hall.hour,
            })
            .await?;
        Ok(TakenNumber { ticket, follow })
    }

    /// The number her phone follows, with her place and wait.
    pub async fn follow_hall_number(
        &self,
        secret: &str,
        now: i64,
    ) -> Result<FollowedNumber, AppError> {
        let ticket = self.followed_number(secret).await?;
        let day = self.hall_day_of(ticket.station.as_str(), now).await?;
        let rules = &day.hall.rules;
        let ahead = (ticket.state == TicketState::Waiting)
            .then(|| hall::place(&day.queue(), ticket.number, rules, day.run()))
            .flatten();
        let wait_ms = ahead.map(|n| {
            hall::estimated_wait_ms(
                n,
                day.mean_service_ms(&ticket.group),
                day.windows_for(&ticket.group, now),
            )
        });
        Ok(FollowedNumber {
            near: ahead.is_some_and(|n| n <= hall::NEAR_FRONT),
            ahead,
            wait_ms,
            hall: day.hall,
            ticket,
        })
    }

    /// She gives back her number while it waits.
    pub async fn give_back_hall_number(&self, secret: &str, now: i64) -> Result<(), AppError> {
        let ticket = self.followed_number(secret).await?;
        if self.store.give_back_hall_ticket(&ticket.id, now).await? {
            Ok(())
        } else {
            Err(AppError::refused(
                "ticket",
                Reason::WrongState,
                "this number is no longer waiting",
            ))
        }
    }

    pub(crate) async fn followed_number(&self, secret: &str) -> Result<Ticket, AppError> {
        let secret = secret.trim();
        if secret.len() != 32 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::NotFound("this number".into()));
        }
        self.store
            .hall_ticket_followed(&follow_hash(&secret.to_ascii_lowercase()))
            .await?
            .ok_or_else(|| AppError::NotFound("this number".into()))
    }

    /// The hall's day: public for the display (labels and windows only: no names are kept).
    pub async fn hall_day_of(&self, station: &str, now: i64) -> Result<HallDay, AppError> {
        let hall = self.hall(station, now).await?;
        self.hall_tickets_now(hall, now).await
    }

    /// The day of a hall already read, at `now`: only its numbers are read again (what a screen
    /// asks every few seconds; its station, services and rules seldom change).
    pub async fn hall_tickets_now(&self, hall: Hall, now: i64) -> Result<HallDay, AppError> {
        let hall = hall.at(now);
        let tickets = self
            .store
            .hall_day(hall.station.code.as_str(), &hall.day)
            .await?;
        Ok(HallDay { hall, tickets })
    }

    /// The hall's day for its staff.
    pub async fn hall_desk(&self, caller: &Caller, station: &str) -> Result<HallDay, AppError> {
        let day = self.hall_day_of(station, caller.now).await?;
        self.authorize(
            caller,
            Action::ServeHall,
            &Resource::Hall {
                station: &day.hall.station.code,
            },
        )
        .await?;
        Ok(day)
    }

    /// Calls the next number to a window, by the hall's rules; `None` when nobody waits for the
    /// window's groups.
    pub async fn call_next_number(
        &self,
        caller: &Caller,
        station: &str,
        input: &CallInput,
    ) -> Result<Option<Ticket>, AppError> {
        let window = hall::check_window(&input.window).ok_or_else(|| {
            AppError::malformed("window", "name your window in 1 to 20 characters")
        })?;
        let by = caller
            .session()
            .map(|s| s.actor.user_id.clone())
            .unwrap_or_default();
        for _ in 0..CALL_TRIES {
            let day = self.hall_desk(caller, station).await?;
            let groups = window_groups(&day.hall, &input.groups)?;
            let queue = day.queue();
            let Some((next, reason)) = hall::next(&queue, &groups, &day.hall.rules, day.run())
            else {
                return Ok(None);
            };
            let Some(ticket) = day.waiting().find(|t| t.number == next.number) else {
                continue;
            };
            let call = HallCall {
                id: &ticket.id,
                window: &window,
                by: &by,
                reason,
                now: caller.now,
            };
            if self.store.call_hall_ticket(&call).await? {
                return Ok(self.store.hall_ticket(&ticket.id).await?);
            }
        }
        Err(AppError::Store(qiaoyi_store::StoreError::Conflict {
            kind: qiaoyi_store::ConflictKind::Taken,
            message: "other windows called every number first; call again".into(),
        }))
    }

    /// Recalls a called number, or marks it served or not come. A number is marked not come only
    /// after the hall's number of calls.
    pub async fn move_hall_number(
        &self,
        caller: &Caller,
        station: &str,
        ticket_id: &str,
        how: TicketMove,
    ) -> Result<Ticket, AppError> {
        let (day, ticket) = self.called_ticket(caller, station, ticket_id).await?;
        let rules = &day.hall.rules;
        let moved = match how {
            TicketMove::Recall => {
                let window = ticket.window.clone().unwrap_or_default();
                self.store
                    .recall_hall_ticket(
                        &ticket.id,
                        &window,
                        u32::from(rules.no_show_after),
                        caller.now,
                    )
                    .await?
            }
            TicketMove::NoShow if rules.may_recall(ticket.calls) => {
                return Err(AppError::refused(
                    "ticket",
                    Reason::CallsLeft,
                    format!(
                        "call this number {} times before marking it not come",
                        rules.no_show_after
                    ),
                ));
            }
            TicketMove::NoShow => {
                self.store
                    .finish_hall_ticket(&ticket.id, TicketState::NoShow, caller.now)
                    .await?
            }
            TicketMove::Served => {
                self.store
                    .finish_hall_ticket(&ticket.id, TicketState::Served, caller.now)
                    .await?
            }
        };
        if !moved {
            return Err(AppError::refused(
                "ticket",
                if how == TicketMove::Recall {
                    Reason::AttemptsExhausted
                } else {
                    Reason::WrongState
                },
                "this number was moved meanwhile, or was called as often as the hall allows",
            ));
        }
        self.store
            .hall_ticket(&ticket.id)
            .await?
            .ok_or_else(|| AppError::NotFound("this number".into()))
    }

    /// Sends a called number to wait in another group, keeping its place.
    pub async fn transfer_hall_number(
        &self,
        caller: &Caller,
        station: &str,
        ticket_id: &str,
        group: &str,
    ) -> Result<Ticket, AppError> {
        let (day, ticket) = self.called_ticket(caller, station, ticket_id).await?;
        let group = day
            .hall
            .groups
            .iter()
            .find(|g| g.code.as_str() == group && g.code != ticket.group)
            .ok_or_else(|| AppError::malformed("group", "choose another service to send it to"))?;
        if !self
            .store
            .transfer_hall_ticket(&ticket.id, group.code.as_str())
            .await?
        {
            return Err(AppError::refused(
                "ticket",
                Reason::WrongState,
                "this number was moved meanwhile",
            ));
        }
        self.store
            .hall_ticket(&ticket.id)
            .await?
            .ok_or_else(|| AppError::NotFound("this number".into()))
    }

    async fn called_ticket(
        &self,
        caller: &Caller,
        station: &str,
        ticket_id: &str,
    ) -> Result<(HallDay, Ticket), AppError> {
        let day = self.hall_desk(caller, station).await?;
        let ticket = day
            .tickets
            .iter()
            .find(|t| t.id == ticket_id)
            .cloned()
            .ok_or_else(|| AppError::NotFound("this number".into()))?;
        if ticket.state != TicketState::Called {
            return Err(AppError::refused(
                "ticket",
                Reason::WrongState,
                "this number is not at a window",
            ));
        }
        Ok((day, ticket))
    }

    /// An administrator sets how a hall calls its numbers.
    pub async fn save_hall_rules(
        &self,
        caller: &Caller,
        station: &str,
        rules: &QueueRules,
    ) -> Result<(), AppError> {
        self.authorize(caller, Action::ManageCatalogue, &Resource::System)
            .await?;
        let hall = self.hall(station, caller.now).await?;
        rules
            .check()
            .map_err(|e| AppError::refused(e.field(), Reason::OutOfRange, e.message()))?;
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            AuditEvent::HallRulesSaved,
            (AuditSubject::Station, hall.station.code.as_str()),
            "ok",
            &caller.client,
            caller.now,
        );
        let by = actor.map(|a| a.user_id.as_str()).unwrap_or_default();
        self.store
            .save_hall_rules(hall.station.code.as_str(), rules, caller.now, by, &record)
            .await?;
        Ok(())
    }
}

/// The groups a window serves, each one of the hall's.
fn window_groups(hall: &Hall, asked: &[String]) -> Result<Vec<CategoryCode>, AppError> {
    asked
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            hall.groups
                .iter()
                .find(|h| h.code.as_str() == g)
                .map(|h| h.code.clone())
                .ok_or_else(|| AppError::malformed("groups", "choose the services of your window"))
        })
        .collect()
}
