//! An iCalendar file (RFC 5545) of one event, for a video check a person adds to her calendar:
//! the start and end as UTC instants (every calendar shows them in its own zone), the times in her
//! zone and Beijing's in the description, the room's link, and a reminder before it starts.

use jiff::Timestamp;

/// One event to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// Unique and stable for the booking, so that a file downloaded again updates the same event.
    pub uid: &'a str,
    /// When the file was made (`DTSTAMP`).
    pub stamp: Timestamp,
    pub starts: Timestamp,
    pub ends: Timestamp,
    pub summary: &'a str,
    pub description: &'a str,
    /// Where to join, also the event's location.
    pub url: &'a str,
    /// Minutes before the start the calendar reminds.
    pub remind_minutes: u32,
}

/// The file, lines ending in CRLF and folded at 75 octets as the standard asks.
pub fn ics(event: &Event) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Qiaoyi//Video check//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(event.uid)),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("DTSTART:{}", utc(event.starts)),
        format!("DTEND:{}", utc(event.ends)),
        format!("SUMMARY:{}", text(event.summary)),
        format!("DESCRIPTION:{}", text(event.description)),
        format!("LOCATION:{}", text(event.url)),
        format!("URL:{}", event.url),
        "BEGIN:VALARM".to_owned(),
        "ACTION:DISPLAY".to_owned(),
        format!("DESCRIPTION:{}", text(event.summary)),
        format!("TRIGGER:-PT{}M", event.remind_minutes),
        "END:VALARM".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

/// An instant as a UTC date-time (`20260528T030000Z`).
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslashes, semicolons, commas and line breaks escaped.
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// One content line folded so no line is longer than 75 octets, never inside a character; each
/// continuation starts with a space.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event<'a>(summary: &'a str, description: &'a str) -> Event<'a> {
        Event {
            uid: "slot-1@qiaoyi.example",
            stamp: "2026-05-20T08:00:00Z".parse().expect("instant"),
            starts: "2026-05-28T03:00:00Z".parse().expect("instant"),
            ends: "2026-05-28T03:20:00Z".parse().expect("instant"),
            summary,
            description,
            url: "https://qiaoyi.example/video/room/s-1",
            remind_minutes: 30,
        }
    }

    #[test]
    fn an_event_in_utc_with_its_reminder_and_escaped_text() {
        let file = ics(&event(
            "视频核验, QT-2026-000001",
            "Rome 05:00; Beijing 11:00\nBring it",
        ));
        assert!(
            file.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{file}"
        );
        assert!(file.contains("DTSTART:20260528T030000Z\r\n"));
        assert!(file.contains("DTEND:20260528T032000Z\r\n"));
        assert!(file.contains("SUMMARY:视频核验\\, QT-2026-000001\r\n"));
        assert!(file.contains("DESCRIPTION:Rome 05:00\\; Beijing 11:00\\nBring it\r\n"));
        assert!(file.contains("TRIGGER:-PT30M\r\n"));
        assert!(file.ends_with("END:VCALENDAR\r\n"));
        assert!(!file.replace("\r\n", "").contains('\n'));
    }

    proptest! {
        /// Folding keeps lines within 75 octets and unfolding gives the line back.
        #[test]
        fn folded_lines_are_short_and_unfold_to_the_original(line in "[a-z 中文é,;]{0,200}") {
            let folded = fold(&line);
            for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
                prop_assert!(part.len() <= 75);
            }
            prop_assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
    }
}
