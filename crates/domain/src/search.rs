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
    &["过期", "到期", "失效"],
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
