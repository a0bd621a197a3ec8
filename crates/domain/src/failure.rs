//! Why an input was refused, as a kind the layers above can act on without reading English.
//!
//! Every refusal still carries its English message for logs and the API's `detail`; pages choose
//! their translated message and clients their behaviour from the [`Reason`] alone, so rewording a
//! message cannot change what a page shows.

macro_rules! reasons {
    ($($(#[$doc:meta])* $name:ident => $code:literal,)*) => {
        /// Why a field was refused. Generic across capabilities: a page reads it together with the
        /// field, so `TooLong` on a subject and on a message body can mean different sentences.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($(#[$doc])* $name,)*
        }

        impl Reason {
            /// Every reason, in declaration order.
            pub const ALL: &[Reason] = &[$(Reason::$name),*];

            /// Its stable name for API clients (the problem's `reason` member), in kebab-case.
            pub fn code(self) -> &'static str {
                match self {
                    $(Reason::$name => $code,)*
                }
            }
        }
    };
}

reasons! {
    /// The field is wrong in form or missing; the page shows its message for the field.
    Malformed => "malformed",
    TooShort => "too-short",
    TooLong => "too-long",
    /// A file or a batch over its size limit.
    TooLarge => "too-large",
    /// A password on the list of the most common ones.
    TooCommon => "too-common",
    /// A password a strength estimate finds easy to guess (repeats, sequences, keyboard patterns,
    /// the person's own name or address).
    TooWeak => "too-weak",
    InPast => "in-past",
    InFuture => "in-future",
    /// A date or time outside the window it may fall in (e.g. a slot more than 90 days ahead).
    OutOfRange => "out-of-range",
    BeforeBirth => "before-birth",
    EndBeforeStart => "end-before-start",
    PeriodTooLong => "period-too-long",
    /// The same thing given twice where it may be given once.
    Duplicate => "duplicate",
    /// What was shown does not match what is on file.
    Mismatch => "mismatch",
    /// The thing cannot take this step yet (e.g. a video check not opened).
    NotOpenYet => "not-open-yet",
    /// The thing is past the state that allows this step (e.g. a case no longer a draft).
    WrongState => "wrong-state",
    /// A code was wrong too many times; a new one was sent.
    AttemptsExhausted => "attempts-exhausted",
    /// A request ran out of codes and tries and was cancelled; it must be made again.
    Lapsed => "lapsed",
    /// Only a delivery to the home can be signed for.
    HomeDeliveryOnly => "home-delivery-only",
    /// A capacity below what is already taken.
    BelowCurrentLoad => "below-current-load",
    /// No room left.
    Full => "full",
    AlreadyPaired => "already-paired",
    /// The other party must be someone else than the one asking.
    SelfNotAllowed => "self-not-allowed",
    /// The thing belongs to another person.
    OtherPerson => "other-person",
    NotAMinor => "not-a-minor",
    NoProxyParent => "no-proxy-parent",
    /// Done already as often as a day allows.
    DailyLimit => "daily-limit",
    /// An account keeps at least one role.
    LastRole => "last-role",
    /// A role the thing cannot hold (e.g. an administrator's on an API token).
    RoleNotAllowed => "role-not-allowed",
    /// An outside provider could not be asked; trying again later may work.
    ProviderUnreachable => "provider-unreachable",
    /// A payment reference not in the provider's format.
    ReferenceFormat => "reference-format",
    /// A payment reference the provider or the ledger does not accept.
    ReferenceRefused => "reference-refused",
    /// A hall's number may still be called again before it is marked as not come.
    CallsLeft => "calls-left",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for reason in Reason::ALL {
            let code = reason.code();
            assert!(seen.insert(code), "{code} twice");
            assert!(
                !code.is_empty()
                    && !code.starts_with('-')
                    && !code.ends_with('-')
                    && !code.contains("--")
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{code} is not kebab-case"
            );
        }
    }
}
