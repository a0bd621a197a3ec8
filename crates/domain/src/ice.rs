//! How browsers in a video room find each other across networks: the STUN and TURN servers
//! configured, as RFC 7064 and RFC 7065 write their addresses (checked when the server starts),
//! and the short-lived TURN credentials of coturn's REST scheme (`use-auth-secret`): the user
//! name is `expiry:participant`, the password the base64 of its HMAC-SHA1 under the shared
//! secret, so the relay checks them without asking us and they stop working at `expiry`.

use base64::Engine;
use hmac::{Hmac, Mac};

/// The kinds of server a browser may be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IceScheme {
    Stun,
    Stuns,
    Turn,
    Turns,
}

impl IceScheme {
    fn parse(text: &str) -> Option<IceScheme> {
        match text {
            "stun" => Some(IceScheme::Stun),
            "stuns" => Some(IceScheme::Stuns),
            "turn" => Some(IceScheme::Turn),
            "turns" => Some(IceScheme::Turns),
            _ => None,
        }
    }

    /// TURN relays need credentials; STUN servers answer anyone.
    pub fn is_turn(self) -> bool {
        matches!(self, IceScheme::Turn | IceScheme::Turns)
    }
}

/// One STUN or TURN server's address, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceUrl {
    pub scheme: IceScheme,
    text: String,
}

impl IceUrl {
    /// Reads `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]` and their `s` forms
    /// (TLS; `turns:` only over TCP). The host is a DNS name, an IPv4 address or a bracketed IPv6
    /// one; nothing else (no user, path or other parameter) may appear.
    pub fn parse(text: &str) -> Result<IceUrl, String> {
        let refuse = |why: &str| {
            Err(format!(
                "\"{text}\" {why}; write stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:host[:port]"
            ))
        };
        let Some((scheme, rest)) = text.split_once(':') else {
            return refuse("has no scheme");
        };
        let Some(scheme) = IceScheme::parse(scheme) else {
            return refuse("is not a STUN or TURN address");
        };
        let (address, query) = match rest.split_once('?') {
            Some((address, query)) => (address, Some(query)),
            None => (rest, None),
        };
        match (scheme, query) {
            (_, None) => {}
            (IceScheme::Turn, Some("transport=udp" | "transport=tcp")) => {}
            (IceScheme::Turns, Some("transport=tcp")) => {}
            _ => return refuse("has a parameter it cannot take"),
        }
        let (host, port) = if let Some(v6) = address.strip_prefix('[') {
            let Some((ip, after)) = v6.split_once(']') else {
                return refuse("has an unclosed IPv6 address");
            };
            if ip.parse::<std::net::Ipv6Addr>().is_err() {
                return refuse("has no valid IPv6 address");
            }
            (ip, after.strip_prefix(':'))
        } else {
            match address.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (address, None),
            }
        };
        if let Some(port) = port
            && !port.parse::<u16>().is_ok_and(|p| p > 0)
        {
            return refuse("has a port that is not 1 to 65535");
        }
        let is_name = |h: &str| {
            h.len() <= 253
                && h.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        };
        let bracketed = address.starts_with('[');
        if !(bracketed || host.parse::<std::net::Ipv4Addr>().is_ok() || is_name(host)) {
            return refuse("has no valid host");
        }
        Ok(IceUrl {
            scheme,
            text: text.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// What a browser is given to use the TURN relays until `expires` (seconds since 1970).
#[derive(Clone, PartialEq, Eq)]
pub struct TurnCredentials {
    pub username: String,
    pub password: String,
    pub expires: i64,
}

impl std::fmt::Debug for TurnCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// coturn's REST credentials for `participant` (an opaque id, never a name) until `expires`.
pub fn turn_credentials(secret: &[u8], participant: &str, expires: i64) -> TurnCredentials {
    let username = format!("{expires}:{participant}");
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|e| unreachable!("HMAC takes a key of any length: {e}"));
    mac.update(username.as_bytes());
    TurnCredentials {
        password: base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()),
        username,
        expires,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_credentials_are_coturns_rest_scheme() {
        // As `python3 -c "hmac.new(b'north', b'1735689600:u-abc', hashlib.sha1)"` gives them.
        let c = turn_credentials(b"north", "u-abc", 1_735_689_600);
        assert_eq!(c.username, "1735689600:u-abc");
        assert_eq!(c.password, "ze8fhJxBa/vn+7FA6xYq8cxwH5I=");
        assert!(!format!("{c:?}").contains(&c.password));
    }

    #[test]
    fn addresses_are_read_as_rfc_7064_and_7065_write_them() {
        for good in [
            "stun:stun.qiaoyi.example",
            "stun:192.0.2.10:3478",
            "stuns:stun.qiaoyi.example:5349",
            "turn:turn.qiaoyi.example:3478?transport=udp",
            "turn:turn.qiaoyi.example?transport=tcp",
            "turns:turn.qiaoyi.example:443?transport=tcp",
            "turns:turn.qiaoyi.example:443",
            "turn:[2001:db8::1]:3478",
            "turn:127.0.0.1:3478",
        ] {
            assert!(IceUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "stun",
            "http://turn.qiaoyi.example",
            "turn:",
            "turn:user@turn.qiaoyi.example",
            "turn:turn.qiaoyi.example:0",
            "turn:turn.qiaoyi.example:70000",
            "turn:turn.qiaoyi.example/path",
            "turns:turn.qiaoyi.example?transport=udp",
            "stun:stun.qiaoyi.example?transport=tcp",
            "turn:turn.qiaoyi.example?transport=sctp",
            "turn:[2001:db8::1:3478",
            "turn:-bad-.example",
            "turn:turn qiaoyi.example",
        ] {
            assert!(IceUrl::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            IceUrl::parse("turns:t.example:443")
                .expect("ok")
                .scheme
                .is_turn()
        );
        assert!(
            !IceUrl::parse("stun:t.example")
                .expect("ok")
                .scheme
                .is_turn()
        );
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panic(text in ".{0,80}") {
            let _ = IceUrl::parse(&text);
        }

        #[test]
        fn credentials_differ_by_participant_and_expiry(a in "[a-z0-9-]{1,20}", b in "[a-z0-9-]{1,20}", t in 0i64..4_000_000_000) {
            let one = turn_credentials(b"secret", &a, t);
            prop_assert_eq!(one.password.len(), 28);
            if a != b {
                prop_assert_ne!(&one.password, &turn_credentials(b"secret", &b, t).password);
            }
            prop_assert_ne!(&one.password, &turn_credentials(b"secret", &a, t + 1).password);
        }
    }
}
