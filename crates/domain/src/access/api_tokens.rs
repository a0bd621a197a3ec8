//! API tokens: how another system (a bureau's back office, a station's kiosk, a reporting job)
//! calls the API without a browser session or a second factor. An administrator names the token
//! and the service account it is for, gives it one role with its scope and an expiry; the secret
//! is shown once and only its SHA-256 is kept.
//!
//! A token acts for no person: it never holds a role that reaches every account, the audit log or
//! children's records ([`Role::needs_second_administrator`]), nor a person's own role (applicant,
//! proxy parent), and it never takes a deciding action, which needs a person's fresh second factor.

use crate::access::{Grant, Role};
use crate::failure::Reason;
use crate::text::without_invisible;

/// What every token starts with, so that secret scanners and people recognise one.
pub const PREFIX: &str = "qyt_";
/// Hex digits after the prefix: 32 random bytes.
const SECRET_HEX: usize = 64;
/// The longest a token is given for.
pub const MAX_DAYS: u32 = 366;
const MAX_NAME: usize = 80;
const DAY_MS: i64 = 86_400_000;

/// Whether `text` has a token's shape (the prefix and 64 lowercase hex digits), checked before
/// anything is looked up.
pub fn is_token_shaped(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == SECRET_HEX && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Whether a token may carry `role`: staff roles that act on cases and consultations within
/// their scope, not the ones a second administrator must approve, nor a person's own.
pub fn role_allowed(role: Role) -> bool {
    matches!(
        role,
        Role::Station | Role::Officer | Role::DutyLeader | Role::Consultant
    )
}

/// A token as the administrator asked for it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenTerms {
    /// The system it is for, e.g. "Milan station kiosk".
    pub service: String,
    /// This token among the service's, e.g. "2027 rotation".
    pub name: String,
    pub grant: Grant,
    pub expires_at: i64,
}

/// Why a token cannot be made as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    ServiceName,
    TokenName,
    /// The role cannot be on a token.
    Role(Role),
    /// Days outside 1 to [`MAX_DAYS`].
    Days,
}

impl TokenError {
    /// The form field it is about.
    pub fn field(&self) -> &'static str {
        match self {
            TokenError::ServiceName => "service",
            TokenError::TokenName => "name",
            TokenError::Role(_) => "grant",
            TokenError::Days => "days",
        }
    }

    pub fn reason(&self) -> Reason {
        match self {
            TokenError::ServiceName | TokenError::TokenName => Reason::Malformed,
            TokenError::Role(_) => Reason::RoleNotAllowed,
            TokenError::Days => Reason::OutOfRange,
        }
    }

    pub fn message(&self) -> String {
        match self {
            TokenError::ServiceName => {
                format!("name the service account in 1 to {MAX_NAME} characters")
            }
            TokenError::TokenName => format!("name the token in 1 to {MAX_NAME} characters"),
            TokenError::Role(role) => format!(
                "a token cannot hold the {role} role; give it station, officer, duty_leader or consultant"
            ),
            TokenError::Days => format!("give the token 1 to {MAX_DAYS} days"),
        }
    }
}

fn name(text: &str) -> Option<String> {
    let text = without_invisible(text).trim().to_owned();
    let count = text.chars().count();
    ((1..=MAX_NAME).contains(&count) && !text.chars().any(char::is_control)).then_some(text)
}

/// Checks a token's terms asked at `now`: both names, a role a token may hold, 1 to 366 days.
pub fn check_terms(
    service: &str,
    token_name: &str,
    grant: Grant,
    days: u32,
    now: i64,
) -> Result<TokenTerms, TokenError> {
    let service = name(service).ok_or(TokenError::ServiceName)?;
    let token_name = name(token_name).ok_or(TokenError::TokenName)?;
    if !role_allowed(grant.role()) {
        return Err(TokenError::Role(grant.role()));
    }
    if days == 0 || days > MAX_DAYS {
        return Err(TokenError::Days);
    }
    Ok(TokenTerms {
        service,
        name: token_name,
        grant,
        expires_at: now + i64::from(days) * DAY_MS,
    })
}

/// Where a stored token stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    /// Revoked wins over expired: the administrator's act is what the list should say.
    pub fn at(expires_at: i64, revoked_at: Option<i64>, now: i64) -> TokenState {
        match revoked_at {
            Some(at) if at <= now => TokenState::Revoked,
            _ if now >= expires_at => TokenState::Expired,
            _ => TokenState::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

/// A stored token as administrators see it: never its secret or hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub service: String,
    pub name: String,
    pub grant: Grant,
    /// The administrator who made it; empty when made on the server's command line.
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// The client address of that use.
    pub last_used_from: String,
}

impl ApiToken {
    pub fn state(&self, now: i64) -> TokenState {
        TokenState::at(self.expires_at, self.revoked_at, now)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn station() -> Grant {
        Grant::parse_text("station:IT-MIL").expect("grant")
    }

    #[test]
    fn a_token_has_the_prefix_and_64_lowercase_hex_digits() {
        let good = format!("qyt_{}", "ab12".repeat(16));
        assert!(is_token_shaped(&good));
        assert!(!is_token_shaped(&good.to_uppercase()));
        assert!(!is_token_shaped(&good[..good.len() - 1]));
        assert!(!is_token_shaped(&format!("{good}0")));
        assert!(!is_token_shaped(&"ab12".repeat(16)));
        assert!(!is_token_shaped(&format!("qyt_{}", "zz12".repeat(16))));
        assert!(!is_token_shaped(""));
    }

    #[test]
    fn terms_are_checked_field_by_field() {
        let now = 1_000;
        let terms = check_terms(" Milan kiosk ", "2027", station(), 30, now).expect("terms");
        assert_eq!(terms.service, "Milan kiosk");
        assert_eq!(terms.expires_at, now + 30 * DAY_MS);
        assert_eq!(
            check_terms("  ", "x", station(), 30, now),
            Err(TokenError::ServiceName)
        );
        assert_eq!(
            check_terms("kiosk", "\u{200b}", station(), 30, now),
            Err(TokenError::TokenName)
        );
        assert_eq!(
            check_terms("kiosk", &"x".repeat(81), station(), 30, now),
            Err(TokenError::TokenName)
        );
        assert_eq!(
            check_terms("kiosk", "a\nb", station(), 30, now),
            Err(TokenError::TokenName)
        );
        assert_eq!(
            check_terms("kiosk", "x", station(), 0, now),
            Err(TokenError::Days)
        );
        assert_eq!(
            check_terms("kiosk", "x", station(), 367, now),
            Err(TokenError::Days)
        );
        assert!(check_terms("kiosk", "x", station(), 366, now).is_ok());
    }

    #[test]
    fn only_scoped_staff_roles_go_on_a_token() {
        let allowed: Vec<Role> = Role::ALL.into_iter().filter(|r| role_allowed(*r)).collect();
        assert_eq!(
            allowed,
            [
                Role::Station,
                Role::Officer,
                Role::DutyLeader,
                Role::Consultant
            ]
        );
        for role in Role::ALL {
            // Nothing a second administrator must approve, and nothing of a person's own.
            if role.needs_second_administrator() || !role.is_staff() {
                assert!(!role_allowed(role), "{role}");
            }
        }
        assert_eq!(
            check_terms("job", "x", Grant::Admin, 30, 0),
            Err(TokenError::Role(Role::Admin))
        );
        assert_eq!(
            TokenError::Role(Role::Admin).reason(),
            Reason::RoleNotAllowed
        );
    }

    proptest! {
        #[test]
        fn a_token_is_active_exactly_before_expiry_and_revocation(
            expires in 0i64..1_000, revoked in proptest::option::of(0i64..1_000), now in 0i64..1_000,
        ) {
            let state = TokenState::at(expires, revoked, now);
            let active = now < expires && revoked.is_none_or(|at| at > now);
            prop_assert_eq!(state == TokenState::Active, active);
            if revoked.is_some_and(|at| at <= now) {
                prop_assert_eq!(state, TokenState::Revoked);
            }
        }
    }
}
