use std::fmt;

/// An e-mail address, trimmed and lower-cased, so that one person has one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, &'static str> {
        let address = input.trim().to_lowercase();
        if address.is_empty() {
            return Err("enter an e-mail address, like name@example.com");
        }
        if address.len() > 254 || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("enter an e-mail address without spaces, like name@example.com");
        }
        let Some((local, domain)) = address.split_once('@') else {
            return Err("an e-mail address has an @, like name@example.com");
        };
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !domain.contains('.')
            || !labels_ok
        {
            return Err("enter the whole e-mail address, like name@example.com");
        }
        if address.contains(['<', '>', '"', '\'', '(', ')', ',', ';', ':', '\\', '[', ']']) {
            return Err("an e-mail address has only letters, digits and . _ + - before the @");
        }
        Ok(Email(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(
            Email::parse("  Li.Wei@Example.COM ").map(|e| e.0),
            Ok("li.wei@example.com".into())
        );
        assert!(Email::parse("a+tag@mail.example.it").is_ok());
    }

    #[test]
    fn bad_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "<script>@x.com",
            "x'; DROP TABLE users;--@x.com",
            "a@-b.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@x.com", "a".repeat(65))).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_accepted_addresses_reparse(s in ".{0,80}") {
            if let Ok(email) = Email::parse(&s) {
                proptest::prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            }
        }
    }
}
