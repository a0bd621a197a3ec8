use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// A whole, validated catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    pub version: String,
    pub bureau: Text,
    /// SHA-256 of the source files, so that importing the same files twice changes nothing.
    pub digest: String,
    pub categories: Vec<Category>,
    pub items: Vec<Item>,
    pub guides: Vec<Guide>,
    pub stations: Vec<Station>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: CategoryCode,
    pub name: Text,
    pub description: Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: ItemCode,
    pub category: CategoryCode,
    pub name: Text,
    pub summary: Text,
    pub eligibility: Text,
    pub fee_fen: u32,
    pub time_limit_days: u16,
    pub video_check: bool,
    pub guardian_for_minors: bool,
    pub delivery: Vec<Delivery>,
    pub workflow: Workflow,
    /// What a certificate item's certificate attests, one sentence per language (for 无犯罪记录证明:
    /// that no criminal record was found). Required of certificate items, refused on others;
    /// `None` in a catalogue stored before the field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attests: Option<Text>,
    /// Working days a green-channel approval grants by default (the duty leader may change it).
    #[serde(default = "default_green_channel_days")]
    pub green_channel_days: u16,
    #[serde(rename = "material")]
    pub materials: Vec<Material>,
}

impl Item {
    /// The required materials (numbered from 1, as the pages number them) that none of the
    /// uploaded files, given by their materials' indexes, is for.
    pub fn missing_materials(&self, uploaded: &[i64]) -> Vec<usize> {
        missing_materials(&self.materials, uploaded)
    }
}

/// [`Item::missing_materials`] of a list of materials.
pub fn missing_materials(materials: &[Material], uploaded: &[i64]) -> Vec<usize> {
    materials
        .iter()
        .enumerate()
        .filter(|(i, m)| m.required && !uploaded.iter().any(|u| usize::try_from(*u) == Ok(*i)))
        .map(|(i, _)| i + 1)
        .collect()
}

fn default_green_channel_days() -> u16 {
    crate::green_channel::DEFAULT_DAYS
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub name: Text,
    pub required: bool,
}

/// How a finished document reaches the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Collected at the bureau's window in the county.
    Window,
    /// Collected at an overseas station.
    Station,
    /// Sent by international courier.
    Courier,
    /// Brought to the home of an elderly or disabled person.
    Home,
}

impl Delivery {
    pub const ALL: [Delivery; 4] = [
        Delivery::Window,
        Delivery::Station,
        Delivery::Courier,
        Delivery::Home,
    ];

    pub fn parse(s: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Window => "window",
            Delivery::Station => "station",
            Delivery::Courier => "courier",
            Delivery::Home => "home",
        }
    }
}

/// Which workflow table a case for the item follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workflow {
    /// Decision, then a physical document produced and dispatched.
    Standard,
    /// Decision, then an electronic certificate issued.
    Certificate,
}

impl Workflow {
    pub const ALL: [Workflow; 2] = [Workflow::Standard, Workflow::Certificate];

    /// As stored with each case.
    pub fn as_str(self) -> &'static str {
        match self {
            Workflow::Standard => "standard",
            Workflow::Certificate => "certificate",
        }
    }

    pub fn parse(s: &str) -> Option<Workflow> {
        Workflow::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    pub code: GuideCode,
    pub topic: Topic,
    pub title: Text,
    pub summary: Text,
    pub who: Text,
    pub materials: Vec<Text>,
    pub fee: Text,
    pub time_limit: Text,
    #[serde(rename = "where")]
    pub where_: Text,
    pub related_items: Vec<ItemCode>,
    /// Which way fits whom: this guide's (a consulate, an app, an office in China) or the related
    /// items' through Qiaoyi. Required when there are related items; absent in guides stored
    /// before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Text>,
}

/// What a livelihood guide is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Topic {
    ExitEntry,
    Household,
    Traffic,
    Certificates,
    SocialSecurity,
    MedicalInsurance,
    Education,
    Property,
    Notary,
    Marriage,
    Tax,
    Elderly,
    LegalAid,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 14] = [
        Topic::ExitEntry,
        Topic::Household,
        Topic::Traffic,
        Topic::Certificates,
        Topic::SocialSecurity,
        Topic::MedicalInsurance,
        Topic::Education,
        Topic::Property,
        Topic::Notary,
        Topic::Marriage,
        Topic::Tax,
        Topic::Elderly,
        Topic::LegalAid,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::ExitEntry => "exit-entry",
            Topic::Household => "household",
            Topic::Traffic => "traffic",
            Topic::Certificates => "certificates",
            Topic::SocialSecurity => "social-security",
            Topic::MedicalInsurance => "medical-insurance",
            Topic::Education => "education",
            Topic::Property => "property",
            Topic::Notary => "notary",
            Topic::Marriage => "marriage",
            Topic::Tax => "tax",
            Topic::Elderly => "elderly",
            Topic::LegalAid => "legal-aid",
            Topic::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    pub code: StationCode,
    pub name: Text,
    pub city: Text,
    pub country: String,
    pub time_zone: String,
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub hours: Vec<OpeningHours>,
}

impl Station {
    /// Whether the station is open at `minute` past local midnight on `day`.
    pub fn is_open_at(&self, day: Weekday, minute: u16) -> bool {
        self.hours.iter().any(|h| {
            h.days.contains(&day) && h.open.minutes() <= minute && minute < h.close.minutes()
        })
    }
}

/// A station as the administrators' list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationRecord {
    pub station: Station,
    /// Added or edited by an administrator, so catalogue imports leave it alone.
    pub edited_by_admin: bool,
    /// Accounts holding the station role for it.
    pub staff: i64,
    pub cases: i64,
}

/// The catalogue version in force: its version and digest, the bureau it names, and when it was
/// imported (milliseconds since 1970, UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogHeader {
    pub version: String,
    pub digest: String,
    pub bureau: Text,
    pub imported_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    pub days: Vec<Weekday>,
    pub open: ClockTime,
    pub close: ClockTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// Monday is 1, as ISO 8601 numbers days.
    pub fn from_iso_number(n: i8) -> Option<Weekday> {
        use Weekday::*;
        [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
            .get(usize::try_from(n).ok()?.checked_sub(1)?)
            .copied()
    }
}

/// A wall-clock time of day, `HH:MM`, 00:00 to 24:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime {
    minutes: u16,
}

impl ClockTime {
    pub fn minutes(self) -> u16 {
        self.minutes
    }
}

impl TryFrom<String> for ClockTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("\"{s}\" is not a time of day; write it as HH:MM, e.g. 09:30");
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if m > 59 || h > 24 || (h == 24 && m > 0) {
            return Err(bad());
        }
        Ok(ClockTime {
            minutes: h * 60 + m,
        })
    }
}

impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        t.to_string()
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// Declares a code newtype that can only hold a string its rule accepts.
macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $rule:expr, $example:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                let rule: fn(&[u8]) -> bool = $rule;
                if rule(s.as_bytes()) {
                    Ok($name(s))
                } else {
                    Err(format!(
                        "\"{s}\" is not a valid {}; it looks like \"{}\"",
                        stringify!($name),
                        $example
                    ))
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::try_from(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_type!(
    /// Lower-case letters and single hyphens, e.g. `exit-entry`.
    CategoryCode,
    |b| !b.is_empty()
        && b.len() <= 32
        && b.iter().all(|c| c.is_ascii_lowercase() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-',
    "exit-entry"
);
code_type!(
    /// Two capital letters, a hyphen, two digits, e.g. `EE-01`.
    ItemCode,
    |b| b.len() == 5
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2] == b'-'
        && b[3..].iter().all(u8::is_ascii_digit),
    "EE-01"
);
code_type!(
    /// `G` and four digits, e.g. `G0001`.
    GuideCode,
    |b| b.len() == 5 && b[0] == b'G' && b[1..].iter().all(u8::is_ascii_digit),
    "G0001"
);
code_type!(
    /// The station's country, a hyphen, three capital letters, e.g. `IT-ROM`.
    StationCode,
    |b| b.len() == 6
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2] == b'-'
        && b[3..].iter().all(u8::is_ascii_uppercase),
    "IT-ROM"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_accept_their_shape_only() {
        assert!(ItemCode::try_from("EE-01".to_owned()).is_ok());
        assert!(ItemCode::try_from("ee-01".to_owned()).is_err());
        assert!(ItemCode::try_from("EE-1".to_owned()).is_err());
        assert!(GuideCode::try_from("G0201".to_owned()).is_ok());
        assert!(GuideCode::try_from("G201".to_owned()).is_err());
        assert!(StationCode::try_from("IT-ROM".to_owned()).is_ok());
        assert!(StationCode::try_from("IT-RO1".to_owned()).is_err());
        assert!(CategoryCode::try_from("exit-entry".to_owned()).is_ok());
        assert!(CategoryCode::try_from("-exit".to_owned()).is_err());
        assert!(CategoryCode::try_from(String::new()).is_err());
    }

    #[test]
    fn clock_times() {
        assert_eq!(
            ClockTime::try_from("09:30".to_owned()).map(|t| t.minutes()),
            Ok(570)
        );
        assert!(ClockTime::try_from("24:00".to_owned()).is_ok());
        assert!(ClockTime::try_from("24:01".to_owned()).is_err());
        assert!(ClockTime::try_from("9:30".to_owned()).is_err());
        assert!(ClockTime::try_from("09:60".to_owned()).is_err());
        assert!(ClockTime::try_from("ab:cd".to_owned()).is_err());
    }

    #[test]
    fn open_hours_include_opening_and_exclude_closing_minute() {
        let t = |s: &str| ClockTime::try_from(s.to_owned()).expect("time");
        let station = Station {
            code: "IT-ROM".parse().expect("code"),
            name: text(),
            city: text(),
            country: "IT".into(),
            time_zone: "Europe/Rome".into(),
            languages: vec!["zh".into()],
            address: None,
            hours: vec![OpeningHours {
                days: vec![Weekday::Mon, Weekday::Sat],
                open: t("09:30"),
                close: t("18:00"),
            }],
        };
        assert!(!station.is_open_at(Weekday::Mon, 569));
        assert!(station.is_open_at(Weekday::Mon, 570));
        assert!(station.is_open_at(Weekday::Sat, 1079));
        assert!(!station.is_open_at(Weekday::Sat, 1080));
        assert!(!station.is_open_at(Weekday::Sun, 600));
    }

    fn text() -> Text {
        Text {
            zh: "中".into(),
            en: "e".into(),
            it: "i".into(),
            es: "s".into(),
        }
    }

    #[test]
    fn weekdays_from_iso_numbers() {
        assert_eq!(Weekday::from_iso_number(1), Some(Weekday::Mon));
        assert_eq!(Weekday::from_iso_number(7), Some(Weekday::Sun));
        assert_eq!(Weekday::from_iso_number(0), None);
        assert_eq!(Weekday::from_iso_number(8), None);
    }

    proptest::proptest! {
        #[test]
        fn clock_time_display_round_trips(minutes in 0u16..=1440) {
            let shown = ClockTime { minutes }.to_string();
            proptest::prop_assert_eq!(ClockTime::try_from(shown).map(|t| t.minutes()), Ok(minutes));
        }

        #[test]
        fn item_code_never_panics(s in ".{0,8}") {
            let _ = ItemCode::try_from(s);
        }
    }

    #[test]
    fn missing_materials_are_the_required_ones_without_a_file() {
        let material = |required| Material {
            name: Text {
                zh: "材料".into(),
                en: "Material".into(),
                it: "Documento".into(),
                es: "Documento".into(),
            },
            required,
        };
        let materials = [material(true), material(false), material(true)];
        assert_eq!(missing_materials(&materials, &[]), vec![1, 3]);
        assert_eq!(missing_materials(&materials, &[2, 1]), vec![1]);
        assert_eq!(
            missing_materials(&materials, &[0, 2, 2]),
            Vec::<usize>::new()
        );
        assert_eq!(
            missing_materials(&materials, &[-1, 7]),
            vec![1, 3],
            "no file is for no material"
        );
    }
}
