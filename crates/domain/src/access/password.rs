//! What a password must be: 12 to 128 characters of any kind, spaces kept, never truncated, not one
//! of 23,747 common and breached passwords (`data/common-passwords.txt`), and not easy to guess by
//! zxcvbn's estimate (score 3 of 4 or better, its own dictionaries and the person's name and
//! address counted).

use crate::failure::Reason;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

static COMMON: &str = include_str!("../../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.starts_with('#')).collect())
}

/// A password that meets the rules. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooCommon,
    TooWeak,
}

impl PasswordProblem {
    /// What to do about it, in English; pages show the translated message of the same name.
    pub fn advice(self) -> String {
        match self {
            PasswordProblem::TooShort => {
                format!("use at least {MIN_CHARS} characters; a few words with spaces work well")
            }
            PasswordProblem::TooLong => format!("use at most {MAX_CHARS} characters"),
            PasswordProblem::TooCommon => {
                "this password is one of the most common; choose one that is yours alone".into()
            }
            PasswordProblem::TooWeak => "this password is easy to guess (repeats, sequences, \
                 keyboard patterns or your own name); add a few words only you would put together"
                .into(),
        }
    }

    pub fn reason(self) -> Reason {
        match self {
            PasswordProblem::TooShort => Reason::TooShort,
            PasswordProblem::TooLong => Reason::TooLong,
            PasswordProblem::TooCommon => Reason::TooCommon,
            PasswordProblem::TooWeak => Reason::TooWeak,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password-too-short",
            PasswordProblem::TooLong => "password-too-long",
            PasswordProblem::TooCommon => "password-too-common",
            PasswordProblem::TooWeak => "password-too-weak",
        }
    }
}

/// The lowest zxcvbn score accepted: 3, "safely unguessable" for an online attacker slowed by the
/// lockout and a stolen hash slowed by argon2id.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

impl Password {
    pub fn new(input: &str) -> Result<Password, PasswordProblem> {
        Password::for_person(input, &[])
    }

    /// A password for the person with these words about her (her name, her e-mail address), which
    /// count as easy to guess.
    pub fn for_person(input: &str, about_her: &[&str]) -> Result<Password, PasswordProblem> {
        let chars = input.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        if common().contains(input.to_lowercase().as_str()) {
            return Err(PasswordProblem::TooCommon);
        }
        // zxcvbn's cost grows with the length; past 64 characters a password is strong by length
        // alone, and the estimate is left out so no request can make it slow.
        if chars <= 64 {
            let words: Vec<String> = about_her
                .iter()
                .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_lowercase)
                .collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            if zxcvbn::zxcvbn(input, &words).score() < MIN_SCORE {
                return Err(PasswordProblem::TooWeak);
            }
        }
        Ok(Password(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            Password::new("护照换发青田驿站海外侨胞"),
            Ok(Password("护照换发青田驿站海外侨胞".into()))
        );
        assert_eq!(
            Password::new("护照换发青田驿站海外侨").map(|_| ()),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(Password::new(""), Err(PasswordProblem::TooShort));
        assert!(Password::new(&"x".repeat(128)).is_ok());
        assert_eq!(
            Password::new(&"x".repeat(129)),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn easy_guesses_of_twelve_or_more_are_refused() {
        for weak in [
            "password1234",
            "123456789012",
            "aaaaaaaaaaaa",
            "            ",
            "qwertyuiopasdf",
            "abcdefghijklmnop",
        ] {
            // Listed as breached or estimated easy: refused either way.
            assert!(
                matches!(
                    Password::new(weak),
                    Err(PasswordProblem::TooWeak | PasswordProblem::TooCommon)
                ),
                "{weak:?}"
            );
        }
        assert!(Password::new("violet harbour lantern 1987").is_ok());
        assert!(Password::new("护照换发青田驿站海外侨胞").is_ok());
        // Her own name and address count as easy to guess.
        assert!(Password::new("qingtianmeihua").is_ok());
        assert_eq!(
            Password::for_person("qingtianmeihua", &["Meihua", "meihua@qingtian.example"]),
            Err(PasswordProblem::TooWeak)
        );
    }

    #[test]
    fn spaces_are_kept() {
        let p = Password::new("  correct horse  ").expect("valid");
        assert_eq!(p.expose(), "  correct horse  ");
    }

    #[test]
    fn breached_passwords_that_look_random_are_refused_by_the_list() {
        // From breach corpora: zxcvbn alone would take them for strong.
        for breached in ["pe#5gz29ptzmse", "0r968ji9ufj6", "S8YLPE9JDPVYM"] {
            assert_eq!(
                Password::new(breached),
                Err(PasswordProblem::TooCommon),
                "{breached}"
            );
        }
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(common().len(), 23_747);
        assert_eq!(
            Password::new("1qaz2wsx3edc"),
            Err(PasswordProblem::TooCommon)
        );
        assert_eq!(
            Password::new("1QAZ2WSX3EDC"),
            Err(PasswordProblem::TooCommon)
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let p = Password::new("a long secret phrase").expect("valid");
        assert!(!format!("{p:?}").contains("secret"));
    }
}
