//! A station's service hall: numbers taken on arrival, queued per service group (the catalogue's
//! categories), and called to a window. Who is called next is [`next`], by the rules the hall's
//! administrator sets ([`QueueRules`]): priority for the people the rules honour, yet never more
//! than a run of priority calls in a row while others wait, so nobody waits for ever.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::catalog::{CategoryCode, Station, StationCode, Weekday};
use crate::lang::Lang;

/// Why a number is served before its turn. A visitor says so when she takes her number (the
/// kiosk, her phone), or staff note it at reception; the staff who call her see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// People aged 70 or over.
    Over70,
    Disability,
    Pregnant,
    /// A case in the green channel (urgent help).
    GreenChannel,
    /// A visitor who booked this time and came on time.
    Booked,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::Over70,
        Priority::Disability,
        Priority::Pregnant,
        Priority::GreenChannel,
        Priority::Booked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Over70 => "over-70",
            Priority::Disability => "disability",
            Priority::Pregnant => "pregnant",
            Priority::GreenChannel => "green-channel",
            Priority::Booked => "booked",
        }
    }

    pub fn parse(text: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The priorities a visitor may claim herself at the kiosk or on her phone; a green-channel
    /// case and a booking are noted by staff and by check-in.
    pub fn claimable(self) -> bool {
        matches!(
            self,
            Priority::Over70 | Priority::Disability | Priority::Pregnant
        )
    }
}

/// Where a number was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakenVia {
    /// The hall's kiosk page.
    Kiosk,
    /// Her phone, after scanning the hall's QR code.
    Phone,
    /// Staff at reception, for her.
    Reception,
}

impl TakenVia {
    pub const ALL: [TakenVia; 3] = [TakenVia::Kiosk, TakenVia::Phone, TakenVia::Reception];

    pub fn as_str(self) -> &'static str {
        match self {
            TakenVia::Kiosk => "kiosk",
            TakenVia::Phone => "phone",
            TakenVia::Reception => "reception",
        }
    }

    pub fn parse(text: &str) -> Option<TakenVia> {
        TakenVia::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// Where a number is: waiting, called to a window, then served or not come; or given back by
/// her before it was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketState {
    Waiting,
    Called,
    Served,
    NoShow,
    GivenBack,
}

impl TicketState {
    pub const ALL: [TicketState; 5] = [
        TicketState::Waiting,
        TicketState::Called,
        TicketState::Served,
        TicketState::NoShow,
        TicketState::GivenBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called => "called",
            TicketState::Served => "served",
            TicketState::NoShow => "no_show",
            TicketState::GivenBack => "given_back",
        }
    }

    pub fn parse(text: &str) -> Option<TicketState> {
        TicketState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn is_over(self) -> bool {
        matches!(
            self,
            TicketState::Served | TicketState::NoShow | TicketState::GivenBack
        )
    }
}

/// A number taken in a hall, as staff, the display and her phone read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub id: String,
    pub station: StationCode,
    /// The hall's own day it was taken on.
    pub day: Date,
    pub number: u32,
    /// What the hall shows and speaks: the group's letter and the number (`A007`).
    pub label: String,
    pub group: CategoryCode,
    pub priority: Option<Priority>,
    pub via: TakenVia,
    /// Her language, for her phone's page.
    pub lang: Lang,
    pub state: TicketState,
    pub taken_at: i64,
    pub first_called_at: Option<i64>,
    /// The latest call (a recall moves it).
    pub called_at: Option<i64>,
    pub calls: u32,
    pub window: Option<String>,
    pub call_reason: Option<CallReason>,
    pub done_at: Option<i64>,
}

impl Ticket {
    pub fn waiting(&self) -> Waiting {
        Waiting {
            number: self.number,
            group: self.group.clone(),
            priority: self.priority,
            taken_at: self.taken_at,
        }
    }
}

/// How many numbers will be called before `me` at windows serving her group, by the same rules
/// and run that call them; `None` when she is not waiting.
pub fn place(waiting: &[Waiting], me: u32, rules: &QueueRules, run: u32) -> Option<u32> {
    let mine = waiting.iter().find(|w| w.number == me)?;
    let groups = [mine.group.clone()];
    let mut left: Vec<Waiting> = waiting
        .iter()
        .filter(|w| w.group == mine.group)
        .cloned()
        .collect();
    let mut run = run;
    let mut ahead = 0;
    while let Some((w, why)) = next(&left, &groups, rules, run) {
        if w.number == me {
            return Some(ahead);
        }
        let number = w.number;
        run = if why.is_priority() { run + 1 } else { 0 };
        left.retain(|o| o.number != number);
        ahead += 1;
    }
    None
}

/// How a hall calls its numbers, set by an administrator per station.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRules {
    /// The priorities served before their turn; others wait in arrival order.
    pub honoured: Vec<Priority>,
    /// At most this many priority calls in a row while other numbers of the window's groups wait
    /// (1–10); then the longest-waiting other number is called.
    pub priority_run: u8,
    /// How many times a number is called before it can be marked as not come (1–5).
    pub no_show_after: u8,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            honoured: Priority::ALL.to_vec(),
            priority_run: 3,
            no_show_after: 3,
        }
    }
}

/// What is wrong with rules an administrator wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesError {
    PriorityRun,
    NoShowAfter,
}

impl RulesError {
    pub fn field(self) -> &'static str {
        match self {
            RulesError::PriorityRun => "priority_run",
            RulesError::NoShowAfter => "no_show_after",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RulesError::PriorityRun => "allow between 1 and 10 priority calls in a row",
            RulesError::NoShowAfter => "call a number between 1 and 5 times before it is not come",
        }
    }
}

impl QueueRules {
    pub fn check(&self) -> Result<(), RulesError> {
        if !(1..=10).contains(&self.priority_run) {
            return Err(RulesError::PriorityRun);
        }
        if !(1..=5).contains(&self.no_show_after) {
            return Err(RulesError::NoShowAfter);
        }
        Ok(())
    }

    pub fn honours(&self, priority: Priority) -> bool {
        self.honoured.contains(&priority)
    }

    /// Whether a number called `calls` times may be called again; otherwise it is marked as
    /// not come.
    pub fn may_recall(&self, calls: u32) -> bool {
        calls < u32::from(self.no_show_after)
    }
}

/// Why a number was called: recorded with each call, for the figures and for anyone who asks why
/// she waited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallReason {
    /// Its turn in order of arrival.
    Turn,
    /// Before its turn, for this priority.
    Priority(Priority),
    /// Its turn came although priority numbers wait: the run of priority calls was full.
    AfterPriorityRun,
}

impl CallReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CallReason::Turn => "turn",
            CallReason::Priority(p) => p.as_str(),
            CallReason::AfterPriorityRun => "after-priority-run",
        }
    }

    pub fn parse(text: &str) -> Option<CallReason> {
        match text {
            "turn" => Some(CallReason::Turn),
            "after-priority-run" => Some(CallReason::AfterPriorityRun),
            other => Priority::parse(other).map(CallReason::Priority),
        }
    }

    pub fn is_priority(self) -> bool {
        matches!(self, CallReason::Priority(_))
    }
}

/// A number waiting to be called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub number: u32,
    pub group: CategoryCode,
    pub priority: Option<Priority>,
    /// When it was taken, or sent back to the queue by a transfer (its place is kept: the time it
    /// was first taken).
    pub taken_at: i64,
}

/// The number to call to a window serving `groups` (every group when empty), and why. `run` is
/// how many priority calls in a row the hall has just made. Within a class the earliest taken is
/// called first (ties by number), so every node agrees.
pub fn next<'a>(
    waiting: &'a [Waiting],
    groups: &[CategoryCode],
    rules: &QueueRules,
    run: u32,
) -> Option<(&'a Waiting, CallReason)> {
    let mine = waiting
        .iter()
        .filter(|w| groups.is_empty() || groups.contains(&w.group));
    let honoured = |w: &&Waiting| w.priority.is_some_and(|p| rules.honours(p));
    let earliest = |a: &&Waiting, b: &&Waiting| (a.taken_at, a.number).cmp(&(b.taken_at, b.number));
    let first_priority = mine.clone().filter(honoured).min_by(earliest);
    let first_other = mine.filter(|w| !honoured(w)).min_by(earliest);
    match (first_priority, first_other) {
        (Some(_), Some(o)) if run >= u32::from(rules.priority_run) => {
            Some((o, CallReason::AfterPriorityRun))
        }
        (Some(p), _) => Some((p, CallReason::Priority(p.priority.expect("honoured")))),
        (None, Some(o)) => Some((o, CallReason::Turn)),
        (None, None) => None,
    }
}

/// The priority calls in a row at the end of a hall's calls, newest first.
pub fn priority_run(newest_first: &[CallReason]) -> u32 {
    newest_first.iter().take_while(|r| r.is_priority()).count() as u32
}

/// A number as the hall shows and speaks it: its group's letter and three digits (`A007`).
pub fn label(letter: char, number: u32) -> String {
    format!("{letter}{number:03}")
}

/// The letter of the `index`-th service group (A, B, …), in the catalogue's order of categories.
pub fn group_letter(index: usize) -> char {
    char::from(b'A' + (index % 26) as u8)
}

/// The hall's own day at `now`, in its zone: numbers start again at 1 each day.
pub fn hall_day(now_ms: i64, zone: &TimeZone) -> Date {
    Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .date()
}

/// Whether the station is open at `now`, by its hours in its own zone (a zone it does not name
/// rightly counts as closed).
pub fn open_at(station: &Station, now_ms: i64) -> bool {
    let Ok(zone) = TimeZone::get(&station.time_zone) else {
        return false;
    };
    let local = Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone);
    let Some(day) = Weekday::from_iso_number(local.weekday().to_monday_one_offset()) else {
        return false;
    };
    let minute = u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute()));
    minute.is_ok_and(|m| station.is_open_at(day, m))
}

/// The hour of the hall's day at `now` (0–23), in its zone: what the figures group by.
pub fn hall_hour(now_ms: i64, zone: &TimeZone) -> u8 {
    let hour = Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .hour();
    u8::try_from(hour).unwrap_or(0)
}

/// A hall's numbers summed for the statistics: for a hall, a service or an hour of the day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HallSums {
    /// The station's code, the service's, or the hour (`09`); empty for numbers without one.
    pub key: String,
    pub taken: i64,
    pub served: i64,
    pub no_shows: i64,
    pub given_back: i64,
    /// Numbers called before their turn, for a priority.
    pub priority_calls: i64,
    /// Numbers called, and the milliseconds they waited from taken to their first call.
    pub called: i64,
    pub wait_ms: i64,
    /// The milliseconds from the last call to served, over the served numbers.
    pub service_ms: i64,
}

impl HallSums {
    pub fn add(&mut self, other: &HallSums) {
        self.taken += other.taken;
        self.served += other.served;
        self.no_shows += other.no_shows;
        self.given_back += other.given_back;
        self.priority_calls += other.priority_calls;
        self.called += other.called;
        self.wait_ms += other.wait_ms;
        self.service_ms += other.service_ms;
    }

    /// The mean wait to the first call, in minutes; `None` when none was called.
    pub fn mean_wait_minutes(&self) -> Option<f64> {
        (self.called > 0).then(|| self.wait_ms as f64 / self.called as f64 / 60_000.0)
    }

    /// The mean service, from the last call to served, in minutes; `None` when none was served.
    pub fn mean_service_minutes(&self) -> Option<f64> {
        (self.served > 0).then(|| self.service_ms as f64 / self.served as f64 / 60_000.0)
    }
}

/// How long a service takes when the hall has served nobody today yet: six minutes.
pub const DEFAULT_SERVICE_MS: i64 = 6 * 60_000;

/// A visitor is told to come close when this many numbers or fewer are before her.
pub const NEAR_FRONT: u32 = 3;

/// The estimated wait of a number with `ahead` numbers before it, when services take
/// `mean_service_ms` on average (the default when none was served today) and `windows` windows
/// call its group (one at least).
pub fn estimated_wait_ms(ahead: u32, mean_service_ms: Option<i64>, windows: u32) -> i64 {
    let mean = mean_service_ms
        .filter(|m| *m > 0)
        .unwrap_or(DEFAULT_SERVICE_MS);
    i64::from(ahead) * mean / i64::from(windows.max(1))
}

/// The call as the hall's display speaks it in a language (a BCP 47 tag a station lists), with
/// the browser's speech synthesis; `None` for a language without words here, which the display
/// then leaves out.
pub fn spoken_call(lang: &str, label: &str, window: &str) -> Option<String> {
    let words = match lang {
        "zh" | "zh-CN" => "请 {label} 号到 {window} 号窗口",
        "en" => "Number {label}, please go to window {window}",
        "it" => "Numero {label}, sportello {window}",
        "es" => "Número {label}, ventanilla {window}",
        "ca" => "Número {label}, finestreta {window}",
        "fr" => "Numéro {label}, guichet {window}",
        "de" => "Nummer {label}, bitte zu Schalter {window}",
        "nl" => "Nummer {label}, naar loket {window}",
        "pt" => "Senha {label}, balcão {window}",
        "cs" => "Číslo {label}, přepážka {window}",
        "el" => "Αριθμός {label}, θυρίδα {window}",
        "hu" => "{label} sorszám, {window} ablak",
        "ro" => "Numărul {label}, ghișeul {window}",
        "sr" => "Broj {label}, šalter {window}",
        "ar" => "الرقم {label}، الشباك {window}",
        _ => return None,
    };
    Some(words.replace("{label}", label).replace("{window}", window))
}

/// A window's name as staff type it ("3", "A2", "爱心窗口"): 1–20 characters, no control
/// characters.
pub fn check_window(window: &str) -> Option<String> {
    let window = window.trim();
    let count = window.chars().count();
    ((1..=20).contains(&count) && !window.chars().any(char::is_control)).then(|| window.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn group(code: &str) -> CategoryCode {
        code.parse().expect("a category code")
    }

    fn waiting(number: u32, g: &str, priority: Option<Priority>, taken_at: i64) -> Waiting {
        Waiting {
            number,
            group: group(g),
            priority,
            taken_at,
        }
    }

    #[test]
    fn numbers_are_called_in_order_of_arrival() {
        let queue = [
            waiting(2, "household", None, 20),
            waiting(1, "household", None, 10),
        ];
        let (w, why) = next(&queue, &[], &QueueRules::default(), 0).expect("one");
        assert_eq!((w.number, why), (1, CallReason::Turn));
    }

    #[test]
    fn an_honoured_priority_comes_first_and_an_unhonoured_one_waits_its_turn() {
        let queue = [
            waiting(1, "household", None, 10),
            waiting(2, "household", Some(Priority::Over70), 20),
        ];
        let (w, why) = next(&queue, &[], &QueueRules::default(), 0).expect("one");
        assert_eq!((w.number, why), (2, CallReason::Priority(Priority::Over70)));
        let rules = QueueRules {
            honoured: vec![Priority::Pregnant],
            ..QueueRules::default()
        };
        let (w, why) = next(&queue, &[], &rules, 0).expect("one");
        assert_eq!((w.number, why), (1, CallReason::Turn));
    }

    #[test]
    fn a_full_run_of_priority_calls_lets_the_longest_waiting_other_number_through() {
        let queue = [
            waiting(1, "household", None, 10),
            waiting(2, "household", Some(Priority::Disability), 20),
        ];
        let rules = QueueRules::default();
        let (w, why) = next(&queue, &[], &rules, 3).expect("one");
        assert_eq!((w.number, why), (1, CallReason::AfterPriorityRun));
        // With nobody else waiting, priority goes on.
        let (w, _) = next(&queue[1..], &[], &rules, 3).expect("one");
        assert_eq!(w.number, 2);
    }

    #[test]
    fn a_window_calls_only_its_groups() {
        let queue = [
            waiting(1, "traffic", None, 10),
            waiting(2, "household", None, 20),
        ];
        let (w, _) = next(&queue, &[group("household")], &QueueRules::default(), 0).expect("one");
        assert_eq!(w.number, 2);
        assert!(next(&queue, &[group("certificates")], &QueueRules::default(), 0).is_none());
    }

    #[test]
    fn her_place_counts_who_is_called_before_her_in_her_group() {
        let queue = [
            waiting(1, "household", None, 10),
            waiting(2, "traffic", None, 11),
            waiting(3, "household", None, 12),
            waiting(4, "household", Some(Priority::Over70), 13),
        ];
        let rules = QueueRules::default();
        assert_eq!(place(&queue, 1, &rules, 0), Some(1));
        assert_eq!(place(&queue, 4, &rules, 0), Some(0));
        assert_eq!(place(&queue, 3, &rules, 0), Some(2));
        assert_eq!(place(&queue, 2, &rules, 0), Some(0));
        // After a full run of priority calls, the first in line goes before the priority number.
        assert_eq!(place(&queue, 4, &rules, 3), Some(1));
        assert_eq!(place(&queue, 9, &rules, 0), None);
    }

    #[test]
    fn the_run_counts_only_the_latest_priority_calls() {
        use CallReason::*;
        let over = Priority(super::Priority::Over70);
        assert_eq!(priority_run(&[over, over, Turn, over]), 2);
        assert_eq!(priority_run(&[Turn, over]), 0);
        assert_eq!(priority_run(&[]), 0);
    }

    #[test]
    fn reasons_and_priorities_read_back() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
            assert_eq!(
                CallReason::parse(CallReason::Priority(p).as_str()),
                Some(CallReason::Priority(p))
            );
        }
        for v in TakenVia::ALL {
            assert_eq!(TakenVia::parse(v.as_str()), Some(v));
        }
        for t in TicketState::ALL {
            assert_eq!(TicketState::parse(t.as_str()), Some(t));
        }
        for r in [CallReason::Turn, CallReason::AfterPriorityRun] {
            assert_eq!(CallReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(CallReason::parse("vip"), None);
    }

    #[test]
    fn labels_letters_days_and_waits() {
        assert_eq!(label('A', 7), "A007");
        assert_eq!(label(group_letter(1), 1234), "B1234");
        let rome: TimeZone = TimeZone::get("Europe/Rome").expect("zone");
        // 2026-03-28 23:30 UTC is already the 29th in Rome.
        let late = 1_774_740_600_000;
        assert_eq!(hall_day(late, &rome).to_string(), "2026-03-29");
        assert_eq!(hall_day(late, &TimeZone::UTC).to_string(), "2026-03-28");
        assert_eq!(hall_hour(late, &rome), 0);
        assert_eq!(hall_hour(late, &TimeZone::UTC), 23);
        let mut sums = HallSums {
            called: 2,
            wait_ms: 6 * 60_000,
            served: 1,
            service_ms: 90_000,
            ..HallSums::default()
        };
        assert_eq!(sums.mean_wait_minutes(), Some(3.0));
        assert_eq!(sums.mean_service_minutes(), Some(1.5));
        sums.add(&HallSums {
            taken: 4,
            ..HallSums::default()
        });
        assert_eq!(sums.taken, 4);
        assert_eq!(HallSums::default().mean_wait_minutes(), None);
        assert_eq!(estimated_wait_ms(3, None, 1), 18 * 60_000);
        assert_eq!(estimated_wait_ms(4, Some(60_000), 2), 120_000);
        assert_eq!(estimated_wait_ms(0, Some(60_000), 0), 0);
    }

    #[test]
    fn calls_are_spoken_in_chinese_and_the_languages_stations_list() {
        assert_eq!(
            spoken_call("zh", "A007", "3").as_deref(),
            Some("请 A007 号到 3 号窗口")
        );
        assert_eq!(
            spoken_call("it", "B012", "2").as_deref(),
            Some("Numero B012, sportello 2")
        );
        assert_eq!(spoken_call("tlh", "A001", "1"), None);
        let stations = include_str!("../../../catalog/stations.toml");
        for line in stations.lines().filter(|l| l.starts_with("languages")) {
            for lang in line.split('"').skip(1).step_by(2) {
                assert!(
                    spoken_call(lang, "A001", "1").is_some(),
                    "no words in {lang}"
                );
            }
        }
    }

    #[test]
    fn rules_and_windows_are_checked() {
        assert_eq!(QueueRules::default().check(), Ok(()));
        let none = QueueRules {
            priority_run: 0,
            ..QueueRules::default()
        };
        assert_eq!(none.check(), Err(RulesError::PriorityRun));
        let many = QueueRules {
            no_show_after: 6,
            ..QueueRules::default()
        };
        assert_eq!(many.check(), Err(RulesError::NoShowAfter));
        assert!(QueueRules::default().may_recall(2));
        assert!(!QueueRules::default().may_recall(3));
        assert_eq!(check_window(" 3 ").as_deref(), Some("3"));
        assert_eq!(check_window("爱心窗口").as_deref(), Some("爱心窗口"));
        assert_eq!(check_window(""), None);
        assert_eq!(check_window("a\u{7}b"), None);
        assert_eq!(check_window(&"9".repeat(21)), None);
    }

    fn arb_queue() -> impl Strategy<Value = Vec<Waiting>> {
        let groups = ["household", "traffic"];
        proptest::collection::vec(
            (0usize..2, proptest::option::of(0usize..5), 0i64..50),
            0..12,
        )
        .prop_map(move |raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (g, p, t))| {
                    waiting(i as u32 + 1, groups[g], p.map(|p| Priority::ALL[p]), t)
                })
                .collect()
        })
    }

    proptest! {
        /// Calling a whole queue empty: everyone is called once; never more priority calls in a
        /// row than the rules allow while others wait; within each class, arrival order holds.
        #[test]
        fn a_queue_empties_fairly(queue in arb_queue(), run_limit in 1u8..5, honour in proptest::collection::vec(0usize..5, 0..5)) {
            let rules = QueueRules {
                honoured: honour.iter().map(|i| Priority::ALL[*i]).collect(),
                priority_run: run_limit,
                no_show_after: 3,
            };
            let mut left = queue.clone();
            let mut reasons: Vec<CallReason> = Vec::new();
            let mut called: Vec<Waiting> = Vec::new();
            while let Some((w, why)) = {
                let newest_first: Vec<CallReason> = reasons.iter().rev().copied().collect();
                next(&left, &[], &rules, priority_run(&newest_first)).map(|(w, r)| (w.clone(), r))
            } {
                let honoured = w.priority.is_some_and(|p| rules.honours(p));
                prop_assert_eq!(why.is_priority(), honoured);
                if why.is_priority() {
                    let others_wait = left.iter().any(|o| !o.priority.is_some_and(|p| rules.honours(p)));
                    let newest_first: Vec<CallReason> = reasons.iter().rev().copied().collect();
                    prop_assert!(!others_wait || priority_run(&newest_first) < u32::from(run_limit));
                }
                // Nobody of the same class taken earlier is left behind.
                let passed_over = left.iter().any(|o| {
                    o.priority.is_some_and(|p| rules.honours(p)) == honoured
                        && (o.taken_at, o.number) < (w.taken_at, w.number)
                });
                prop_assert!(!passed_over);
                left.retain(|o| o.number != w.number);
                reasons.push(why);
                called.push(w);
            }
            prop_assert!(left.is_empty());
            prop_assert_eq!(called.len(), queue.len());
        }
    }
}
