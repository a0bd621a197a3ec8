//! Text people type, as it is kept: without the characters that change how the text around them
//! shows while showing nothing themselves.

/// Bidirectional embeddings, overrides and isolates, directional marks, zero-width spaces and
/// joiners, the word joiner and the byte-order mark. A name carrying them shows as something it is
/// not: `"\u{202E}fdp.exe"` reads as `exe.pdf`, and a zero-width space makes two names that look
/// alike different.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// `text` without [`is_invisible_format`] characters.
pub fn without_invisible(text: &str) -> String {
    text.chars().filter(|c| !is_invisible_format(*c)).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn overrides_and_zero_width_characters_go() {
        assert_eq!(without_invisible("\u{202E}fdp.exe"), "fdp.exe");
        assert_eq!(without_invisible("王\u{200B}小\u{FEFF}明"), "王小明");
        assert_eq!(without_invisible("\u{2067}Rossi\u{2069}"), "Rossi");
        assert_eq!(without_invisible("Zoë O'Brien 李"), "Zoë O'Brien 李");
    }

    proptest! {
        #[test]
        fn nothing_invisible_is_left_and_nothing_else_goes(s in "\\PC*") {
            let kept = without_invisible(&s);
            prop_assert!(!kept.chars().any(is_invisible_format));
            prop_assert_eq!(
                kept.chars().count(),
                s.chars().filter(|c| !is_invisible_format(*c)).count()
            );
        }
    }
}
