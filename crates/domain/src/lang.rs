//! The languages Qiaoyi speaks, and texts that exist in every one of them.

use serde::{Deserialize, Serialize};

/// A language of the user interface. Simplified Chinese is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "it")]
    It,
    #[serde(rename = "es")]
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Zh, Lang::En, Lang::It, Lang::Es];

    /// The BCP 47 tag, as used in `lang` attributes, cookies and Fluent resources.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
            Lang::It => "it",
            Lang::Es => "es",
        }
    }

    /// The language's own name, as a language switcher shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
            Lang::It => "Italiano",
            Lang::Es => "Español",
        }
    }

    /// Reads a tag leniently: `zh`, `zh-CN`, `zh-Hans`, `IT`, `es-AR` all name a language we have.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            "it" => Some(Lang::It),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header (RFC 9110 §12.5.4), or `None` when it names
    /// none of ours. Ranges with `q=0` are refusals and are skipped.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u16, usize, Lang)> = None;
        for (position, range) in header.split(',').enumerate() {
            let mut parts = range.split(';');
            let Some(tag) = parts.next() else { continue };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_quality);
            let (Some(quality), Some(lang)) = (quality, Lang::from_tag(tag)) else {
                continue;
            };
            if quality == 0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((q, p, _)) => quality > q || (quality == q && position < p),
            };
            if better {
                best = Some((quality, position, lang));
            }
        }
        best.map(|(_, _, lang)| lang)
    }
}

/// A quality value in thousandths; `None` when it is not a valid qvalue.
fn parse_quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// A text given in every interface language. Catalogue data is made of these, so that no page ever
/// falls back to another language for a name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
    pub it: String,
    pub es: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
            Lang::It => &self.it,
            Lang::Es => &self.es,
        }
    }

    /// The first language whose text is blank, if any.
    pub fn first_blank(&self) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|&lang| self.get(lang).trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_quality_we_have() {
        assert_eq!(Lang::from_accept_language("it"), Some(Lang::It));
        assert_eq!(
            Lang::from_accept_language("de-DE, it;q=0.8, en;q=0.9"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(
            Lang::from_accept_language("es-AR;q=0.5,it;q=0.5"),
            Some(Lang::Es)
        );
    }

    #[test]
    fn accept_language_ignores_refusals_and_garbage() {
        assert_eq!(Lang::from_accept_language("it;q=0, fr"), None);
        assert_eq!(Lang::from_accept_language("it;q=abc"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language(";;,,"), None);
        assert_eq!(Lang::from_accept_language("en;q=1.5"), None);
    }

    #[test]
    fn tags_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }

    proptest::proptest! {
        #[test]
        fn accept_language_never_panics(header in ".{0,200}") {
            let _ = Lang::from_accept_language(&header);
        }
    }
}
