//! What search needs of text, apart from the index itself: the pinyin forms of Chinese words, so
//! that someone who types `huzhao` or `hz` on a phone without a Chinese keyboard finds 护照, and the
//! rules a query must meet.

use pinyin::ToPinyin;

/// The longest query accepted, in characters.
pub const MAX_QUERY: usize = 200;

/// For each word that holds Chinese characters, its pinyin run together (护照 → `huzhao`) and its
/// initials (`hz`), all separated by spaces. Characters without a reading are left out, so the
/// result is only lower-case ASCII letters and spaces.
pub fn pinyin_forms<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for word in words {
        let mut full = String::new();
        let mut initials = String::new();
        for reading in word.to_pinyin().flatten() {
            let plain = reading.plain().replace('ü', "v");
            full.push_str(&plain);
            if let Some(first) = plain.chars().next() {
                initials.push(first);
            }
        }
        for form in [full, initials] {
            if !form.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&form);
            }
        }
    }
    out
}

/// Words people use for the same thing in questions about public services: what they type, and
/// what the guides say. A word of a query also searches for the other words of its group.
const SYNONYMS: &[&[&str]] = &[
    &["驾照", "驾驶证"],
    &["过期", "到期", "失效", "期满"],
    &["小孩", "孩子", "子女", "儿童", "未成年人"],
    &["丢", "丢了", "丢失", "遗失", "报失"],
    &["补办", "补领", "补发"],
    &["换", "换发", "换领", "换证"],
    &["现金", "钱", "外币"],
    &["老人", "老年人", "长辈"],
    &["爸妈", "父母"],
    &["结婚证", "婚姻登记"],
    &["社保", "社会保险"],
    &["医保", "医疗保险"],
    &["养老金", "退休金"],
    &["领馆", "使领馆", "大使馆", "领事馆"],
    &["签证", "入境签证"],
];

/// The other words of `word`'s synonym group.
pub fn synonyms(word: &str) -> impl Iterator<Item = &'static str> + '_ {
    SYNONYMS
        .iter()
        .filter(move |group| group.contains(&word))
        .flat_map(|group| group.iter().copied())
        .filter(move |w| *w != word)
}

/// Words nearly every question and every guide holds: they tell nothing about what is asked,
/// and searching for them would score every document.
const STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "在",
    "是",
    "我",
    "我们",
    "你",
    "您",
    "他",
    "她",
    "要",
    "想",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "吗",
    "呢",
    "吧",
    "啊",
    "能",
    "能不能",
    "可以",
    "可不可以",
    "会",
    "有",
    "没有",
    "和",
    "与",
    "或",
    "及",
    "就",
    "都",
    "也",
    "还",
    "这",
    "那",
    "哪",
    "哪些",
    "谁",
    "一个",
    "去",
    "来",
    "到",
    "给",
    "把",
    "被",
    "让",
    "需要",
    "办",
    "办理",
    "怎么办",
    "请问",
    "一下",
    "现在",
];

/// The words of a query worth searching for: all but the stop words, unless that leaves none.
pub fn meaningful<S: AsRef<str>>(words: Vec<S>) -> Vec<S> {
    if words.iter().all(|w| STOP_WORDS.contains(&w.as_ref())) {
        return words;
    }
    words
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_ref()))
        .collect()
}

/// A word found in more than this share of the documents, and in more than [`COMMON_MIN`] of
/// them, is common: it tells the documents apart hardly at all (its BM25 weight is small) but
/// costs the most to search, since every document holding it is a candidate.
pub const COMMON_SHARE: f64 = 0.05;
/// Below this many documents a word costs little whatever its share: a catalogue of a few hundred
/// services and guides is searched whole, and a document found by its common words alone (护照
/// for "护照损坏" finding the damaged-passport service, whose title says 损毁) is still found.
pub const COMMON_MIN: u64 = 2_000;

/// Which of a question's words are common, from how many of the `documents` hold each: those
/// over [`COMMON_SHARE`] and [`COMMON_MIN`], unless every word is, when none is. Common words
/// then only add to the score of documents a rarer word found (as Lucene's common-terms query
/// does), so over a large index a long question of everyday words no longer makes every document
/// a candidate, while the order of the documents it finds is the same.
pub fn common_words(held: &[u64], documents: u64) -> Vec<bool> {
    let common: Vec<bool> = held
        .iter()
        .map(|h| *h > COMMON_MIN && *h as f64 > COMMON_SHARE * documents as f64)
        .collect();
    if common.iter().all(|c| *c) {
        return vec![false; held.len()];
    }
    common
}

/// Words that narrow a service to a case of its own: a minor's, a lost or damaged document, one
/// handled by an agent, a temporary or first one. Each group: the stems that mark a title as the
/// variant, then the further stems with which a question asks for it. A result whose title has a
/// mark the question does not ask for ranks below the ordinary service. Chinese stems are matched
/// inside words, the others as the start of a word (without accents).
const QUALIFIERS: &[(&[&str], &[&str])] = &[
    (
        &["未成年", "minor", "menor"],
        &[
            "儿童", "孩子", "小孩", "子女", "child", "kid", "bambin", "figli", "hijo", "nino",
        ],
    ),
    (
        &[
            "遗失", "丢", "被盗", "报失", "lost", "loss", "stolen", "smarri", "rubat", "extravi",
            "robad", "perdi",
        ],
        &["perso", "persa", "furt"],
    ),
    (
        &["损毁", "损坏", "damag", "dannegg", "danad", "deterior"],
        &["破", "rott", "roto"],
    ),
    (&["代办", "agent", "delegat", "representant"], &[]),
    (&["临时", "temporar"], &[]),
    (&["首次", "first", "primo", "prima", "primer"], &["第一次"]),
];

/// Latin words too common in questions and titles to say anything.
const LATIN_STOP_WORDS: &[&str] = &[
    "the", "for", "and", "how", "what", "my", "of", "a", "an", "to", "in", "on", "per", "del",
    "della", "dello", "dei", "di", "da", "il", "lo", "la", "le", "gli", "un", "una", "de", "el",
    "los", "las", "en", "y", "con", "mi", "mio", "mia", "il", "i", "e",
];

/// Lower case without the accents of Italian and Spanish, for comparing Latin words.
fn folded(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' | 'ì' => 'i',
            'ó' | 'ò' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            'ñ' => 'n',
            other => other,
        })
        .collect()
}

fn is_han(word: &str) -> bool {
    word.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How well a result's titles answer a question, for ordering results whose scores the index
/// gives: the more of the question's words its titles hold, the better; then the fewer
/// qualifiers it has that the question does not ask for; then an item (a service one applies
/// for) before a guide; then the title that starts with what is asked. Smaller keys rank first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TitleMatch {
    missing: usize,
    unasked_qualifiers: usize,
    guide: bool,
    /// How far into its title the question's first word is: "Renewal of the driving licence"
    /// answers "licence renewal" more directly than "Postponing the renewal of …".
    first_at: usize,
}

/// Whether `stem` (a qualifier's) is in Chinese `han` text or starts one of the folded `latin` words.
fn has_stem(stem: &str, han: &str, latin: &[String]) -> bool {
    if is_han(stem) {
        han.contains(stem)
    } else {
        latin.iter().any(|w| w.starts_with(stem))
    }
}

fn folded_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(folded)
        .collect()
}

/// A result's titles (Chinese, then any others), prepared once when the index is built.
#[derive(Clone, Debug, Default)]
pub struct Titles {
    raw: Vec<String>,
    /// Each title's words, folded.
    words: Vec<Vec<String>>,
    /// Every title's words together, folded.
    all_words: Vec<String>,
    han: String,
    /// The qualifier groups the titles mark (indexes into `QUALIFIERS`).
    marks: Vec<usize>,
}

impl Titles {
    pub fn new(titles: &[&str]) -> Titles {
        let words: Vec<Vec<String>> = titles.iter().map(|t| folded_words(t)).collect();
        let all_words: Vec<String> = words.iter().flatten().cloned().collect();
        let han = titles.concat();
        let marks = QUALIFIERS
            .iter()
            .enumerate()
            .filter(|(_, (marks, _))| marks.iter().any(|q| has_stem(q, &han, &all_words)))
            .map(|(i, _)| i)
            .collect();
        Titles {
            raw: titles.iter().map(|t| (*t).to_owned()).collect(),
            words,
            all_words,
            han,
            marks,
        }
    }
}

/// One word of a question, as titles are searched for it.
#[derive(Clone, Debug)]
struct AskedWord {
    /// The word as cut (Chinese), or the first five letters of the folded word (Latin).
    key: String,
    han: bool,
    /// Its synonyms' keys.
    synonyms: Vec<String>,
    /// The qualifier groups the word names.
    groups: Vec<usize>,
}

/// A question, prepared once per search: its meaningful words and the qualifiers it asks for.
#[derive(Clone, Debug)]
pub struct Asked {
    words: Vec<AskedWord>,
    groups: Vec<usize>,
}

fn stem_key(word: &str) -> (String, bool) {
    if is_han(word) {
        (word.to_owned(), true)
    } else {
        (folded(word).chars().take(5).collect(), false)
    }
}

impl Asked {
    /// `question` as typed and its `words` as the index cut them.
    pub fn new(question: &str, words: &[String]) -> Asked {
        let question_latin = folded_words(question);
        let groups = QUALIFIERS
            .iter()
            .enumerate()
            .filter(|(_, (marks, asks))| {
                marks
                    .iter()
                    .chain(asks.iter())
                    .any(|q| has_stem(q, question, &question_latin))
            })
            .map(|(i, _)| i)
            .collect();
        let mut asked: Vec<AskedWord> = Vec::new();
        for word in words {
            let (key, han) = stem_key(word);
            if !han
                && (word.chars().count() < 3 || LATIN_STOP_WORDS.contains(&folded(word).as_str()))
            {
                continue;
            }
            if asked.iter().any(|a| a.key == key) {
                continue;
            }
            let one = [folded(word)];
            asked.push(AskedWord {
                synonyms: synonyms(word).map(|s| stem_key(s).0).collect(),
                groups: QUALIFIERS
                    .iter()
                    .enumerate()
                    .filter(|(_, (marks, asks))| {
                        marks
                            .iter()
                            .chain(asks.iter())
                            .any(|q| has_stem(q, &one[0], &one))
                    })
                    .map(|(i, _)| i)
                    .collect(),
                key,
                han,
            });
        }
        Asked {
            words: asked,
            groups,
        }
    }
}

fn in_titles(key: &str, han: bool, titles: &Titles) -> bool {
    if han {
        titles.han.contains(key)
    } else {
        titles.all_words.iter().any(|t| t.starts_with(key))
    }
}

/// The [`TitleMatch`] of a result's `titles` for a question.
pub fn title_match(asked: &Asked, titles: &Titles, item: bool) -> TitleMatch {
    // A qualifier's forms say the same thing: "perdido" is answered by "extraviado", "child" by
    // "minors".
    let missing = asked
        .words
        .iter()
        .filter(|w| {
            !in_titles(&w.key, w.han, titles)
                && !w.synonyms.iter().any(|s| in_titles(s, is_han(s), titles))
                && !w.groups.iter().any(|g| titles.marks.contains(g))
        })
        .count();
    let unasked_qualifiers = titles
        .marks
        .iter()
        .filter(|g| !asked.groups.contains(g))
        .count();
    let first_at = titles
        .raw
        .iter()
        .zip(&titles.words)
        .filter_map(|(title, words)| {
            asked
                .words
                .iter()
                .filter_map(|w| {
                    if w.han {
                        title
                            .find(w.key.as_str())
                            .map(|at| title[..at].chars().count())
                    } else {
                        words.iter().position(|t| t.starts_with(&w.key))
                    }
                })
                .min()
        })
        .min()
        .unwrap_or(usize::MAX);
    TitleMatch {
        missing,
        unasked_qualifiers,
        guide: !item,
        first_at,
    }
}

/// Why a query is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::Empty => f.write_str("type a few words to search for"),
            QueryError::TooLong => write!(f, "a search has at most {MAX_QUERY} characters"),
        }
    }
}

/// The query as searched: trimmed, control characters turned into spaces.
pub fn check_query(text: &str) -> Result<String, QueryError> {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(QueryError::Empty);
    }
    if cleaned.chars().count() > MAX_QUERY {
        return Err(QueryError::TooLong);
    }
    Ok(cleaned.to_owned())
}

#[cfg(test)]
mod tests {

    #[test]
    fn common_words_are_those_most_documents_hold_unless_all_are() {
        assert_eq!(
            common_words(&[100, 30_000, 5_000], 100_000),
            vec![false, true, false]
        );
        assert_eq!(common_words(&[30_000, 90_000], 100_000), vec![false, false]);
        assert_eq!(common_words(&[], 100_000), Vec::<bool>::new());
        // A small catalogue is searched whole, however many of its documents hold a word.
        assert_eq!(common_words(&[1, 200], 250), vec![false, false]);
    }

    proptest::proptest! {
        #[test]
        fn some_word_is_always_searched_in_full(
            documents in 1u64..2_000_000,
            shares in proptest::collection::vec(0.0f64..=1.0, 1..12),
        ) {
            let held: Vec<u64> = shares.iter().map(|s| (s * documents as f64) as u64).collect();
            let common = common_words(&held, documents);
            proptest::prop_assert_eq!(common.len(), held.len());
            proptest::prop_assert!(common.iter().any(|c| !c));
            for (held, common) in held.iter().zip(&common) {
                if *common {
                    proptest::prop_assert!(*held > COMMON_MIN);
                    proptest::prop_assert!(*held as f64 > COMMON_SHARE * documents as f64);
                }
            }
        }
    }
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn chinese_words_give_their_pinyin_and_initials() {
        assert_eq!(pinyin_forms(["护照"]), "huzhao hz");
        assert_eq!(pinyin_forms(["换发", "护照"]), "huanfa hf huzhao hz");
        assert_eq!(pinyin_forms(["APP", "🙂", "𠮷"]), "");
        assert_eq!(pinyin_forms(["签证APP"]), "qianzheng qz");
        // ü is typed as v on phone keyboards.
        assert_eq!(pinyin_forms(["绿卡"]), "lvka lk");
    }

    #[test]
    fn queries_are_trimmed_and_bounded() {
        assert_eq!(check_query("  护照\n过期 "), Ok("护照 过期".to_owned()));
        assert_eq!(check_query(" \t "), Err(QueryError::Empty));
        assert_eq!(check_query(&"护".repeat(201)), Err(QueryError::TooLong));
        assert!(check_query(&"护".repeat(200)).is_ok());
        assert_eq!(check_query("𠮷🙂"), Ok("𠮷🙂".to_owned()));
    }

    #[test]
    fn stop_words_are_dropped_unless_nothing_else_is_asked() {
        assert_eq!(
            meaningful(vec!["护照", "过期", "了", "怎么办"]),
            ["护照", "过期"]
        );
        assert_eq!(meaningful(vec!["怎么办"]), ["怎么办"]);
        assert!(meaningful(Vec::<&str>::new()).is_empty());
    }

    #[test]
    fn the_ordinary_service_whose_title_answers_ranks_first() {
        let key = |question: &str, words: &[&str], titles: &[&str], item: bool| {
            let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
            title_match(&Asked::new(question, &words), &Titles::new(titles), item)
        };
        let ordinary = key(
            "护照换发",
            &["护照", "换发"],
            &["普通护照换发(有效期即将届满或已过期)"],
            true,
        );
        let damaged = key("护照换发", &["护照", "换发"], &["普通护照损毁换发"], true);
        let minors = key(
            "护照换发",
            &["护照", "换发"],
            &["未成年人普通护照换发"],
            true,
        );
        let guide = key("护照换发", &["护照", "换发"], &["在青田换发护照"], false);
        assert!(ordinary < damaged && ordinary < minors && ordinary < guide);
        // Unless the question asks for the narrower one.
        let asked = key(
            "未成年人护照换发",
            &["未成年人", "护照", "换发"],
            &["未成年人普通护照换发"],
            true,
        );
        let plain = key(
            "未成年人护照换发",
            &["未成年人", "护照", "换发"],
            &["普通护照换发(有效期即将届满或已过期)"],
            true,
        );
        assert!(asked < plain);
        // Latin words match at their start, without accents, in any of the titles.
        let es = key(
            "renovar pasaporte",
            &["renovar", "pasaporte"],
            &["普通护照换发", "Renovación del pasaporte ordinario"],
            true,
        );
        let es_minors = key(
            "renovar pasaporte",
            &["renovar", "pasaporte"],
            &[
                "未成年人普通护照换发",
                "Renovación del pasaporte ordinario para menores de edad",
            ],
            true,
        );
        assert!(es < es_minors);
    }

    #[test]
    fn synonyms_go_both_ways() {
        assert_eq!(synonyms("驾照").collect::<Vec<_>>(), ["驾驶证"]);
        assert!(synonyms("驾驶证").any(|w| w == "驾照"));
        assert_eq!(synonyms("护照").count(), 0);
    }

    proptest! {
        #[test]
        fn pinyin_forms_are_plain_letters_for_any_text(words in proptest::collection::vec(".*", 0..5)) {
            let forms = pinyin_forms(words.iter().map(String::as_str));
            prop_assert!(forms.chars().all(|c| c.is_ascii_lowercase() || c == ' '), "{forms:?}");
        }
    }
}
