//! Online payment providers as the bureau configures them: a code, a name, and how the provider's
//! payment references look. Qiaoyi never takes money itself; staff record a payment the provider
//! made, with its reference, and a provider with a confirmation gateway is asked about it.

/// How a provider writes its payment references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferenceRule {
    pub min: usize,
    pub max: usize,
    /// Only the digits 0–9 (many Chinese providers' trade numbers); otherwise ASCII letters,
    /// digits and hyphens.
    pub digits_only: bool,
}

/// The longest reference any provider may use.
pub const MAX_REFERENCE: usize = 64;

impl ReferenceRule {
    /// The reference as stored (spaces people type between groups removed), or why it cannot be
    /// one of this provider's.
    pub fn check(&self, reference: &str) -> Result<String, String> {
        let compact: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
        let fits = if self.digits_only {
            compact.bytes().all(|b| b.is_ascii_digit())
        } else {
            compact
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let what = if self.digits_only {
            "digits"
        } else {
            "letters, digits or hyphens"
        };
        let length = compact.len();
        if !fits || length < self.min || length > self.max {
            return Err(if self.min == self.max {
                format!("this provider's references are {} {what}", self.min)
            } else {
                format!(
                    "this provider's references are {} to {} {what}",
                    self.min, self.max
                )
            });
        }
        Ok(compact)
    }

    /// Whether the rule itself makes sense: 1 ≤ min ≤ max ≤ [`MAX_REFERENCE`].
    pub fn is_sound(&self) -> bool {
        1 <= self.min && self.min <= self.max && self.max <= MAX_REFERENCE
    }
}

/// A provider code: 2 to 20 lower-case letters, digits or underscores.
pub fn is_provider_code(code: &str) -> bool {
    (2..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TRADE_NO: ReferenceRule = ReferenceRule {
        min: 28,
        max: 28,
        digits_only: true,
    };

    #[test]
    fn references_are_checked_against_the_providers_rule() {
        assert_eq!(
            TRADE_NO.check("2026 1126 2200 1477 0512 3456 7890"),
            Ok("2026112622001477051234567890".into())
        );
        assert_eq!(
            TRADE_NO.check("2026112622001477"),
            Err("this provider's references are 28 digits".into())
        );
        assert!(TRADE_NO.check("20261126220014770512345678AB").is_err());
        let card = ReferenceRule {
            min: 6,
            max: 32,
            digits_only: false,
        };
        assert_eq!(card.check("PAY-7Q2X91"), Ok("PAY-7Q2X91".into()));
        assert!(card.check("PAY_7Q2X91").is_err());
        assert!(card.check("<script>").is_err());
        assert!(!ReferenceRule { min: 0, ..card }.is_sound());
        assert!(!ReferenceRule { max: 65, ..card }.is_sound());
        assert!(!ReferenceRule { min: 40, ..card }.is_sound());
    }

    #[test]
    fn provider_codes() {
        assert!(is_provider_code("alipay") && is_provider_code("union_pay2"));
        for bad in ["", "a", "Alipay", "ali-pay", "a_very_long_provider_code"] {
            assert!(!is_provider_code(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn an_accepted_reference_fits_the_rule_and_checks_again(
            text in "[0-9A-Za-z -]{0,40}", min in 1usize..20, extra in 0usize..20, digits in any::<bool>()
        ) {
            let rule = ReferenceRule { min, max: min + extra, digits_only: digits };
            if let Ok(stored) = rule.check(&text) {
                prop_assert!(stored.len() >= rule.min && stored.len() <= rule.max);
                prop_assert_eq!(rule.check(&stored), Ok(stored.clone()));
            }
        }
    }
}
