//! A handwritten signature captured at a home delivery, instead of the handover code: strokes of
//! points on a pad of [`WIDTH`] × [`HEIGHT`]. Kept as numbers only, never as an uploaded image, so
//! what the server stores and draws back is exactly what it checked.
//!
//! Text form: strokes separated by `|`, points by spaces, `x,y` integers:
//! `12,40 13,42 20,51|80,40 90,44`.

/// The pad's size, in the units of the points.
pub const WIDTH: u16 = 600;
pub const HEIGHT: u16 = 200;
/// More points than a person signs with: the text is refused rather than stored.
pub const MAX_POINTS: usize = 4000;
/// Less ink than this (in pad units) is a tap or a dot, not a signature.
pub const MIN_INK: f64 = 60.0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    strokes: Vec<Vec<(u16, u16)>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    Empty,
    Malformed,
    OutOfPad,
    TooLong,
    TooLittle,
}

impl SignatureError {
    pub fn message(self) -> &'static str {
        match self {
            SignatureError::Empty => "the person receiving the document signs on the pad",
            SignatureError::Malformed => {
                "the signature could not be read; clear the pad and sign again"
            }
            SignatureError::OutOfPad => {
                "the signature goes outside the pad; clear it and sign again"
            }
            SignatureError::TooLong => "the signature has too many points; clear it and sign again",
            SignatureError::TooLittle => "that is only a dot; sign with your name",
        }
    }
}

impl Signature {
    /// Reads the text form; everything outside it is refused.
    pub fn parse(text: &str) -> Result<Signature, SignatureError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SignatureError::Empty);
        }
        if text.len() > MAX_POINTS * 10 {
            return Err(SignatureError::TooLong);
        }
        let mut strokes = Vec::new();
        let mut count = 0;
        for stroke in text.split('|') {
            let mut points = Vec::new();
            for point in stroke.split_ascii_whitespace() {
                let (x, y) = point.split_once(',').ok_or(SignatureError::Malformed)?;
                let number = |s: &str| {
                    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(SignatureError::Malformed);
                    }
                    s.parse::<u16>().map_err(|_| SignatureError::OutOfPad)
                };
                let (x, y) = (number(x)?, number(y)?);
                if x > WIDTH || y > HEIGHT {
                    return Err(SignatureError::OutOfPad);
                }
                points.push((x, y));
            }
            count += points.len();
            if count > MAX_POINTS {
                return Err(SignatureError::TooLong);
            }
            if !points.is_empty() {
                strokes.push(points);
            }
        }
        if strokes.is_empty() {
            return Err(SignatureError::Empty);
        }
        let signature = Signature { strokes };
        if signature.ink() < MIN_INK {
            return Err(SignatureError::TooLittle);
        }
        Ok(signature)
    }

    /// The total length of the strokes, in pad units.
    pub fn ink(&self) -> f64 {
        self.strokes
            .iter()
            .flat_map(|s| s.windows(2))
            .map(|w| {
                let dx = f64::from(w[1].0) - f64::from(w[0].0);
                let dy = f64::from(w[1].1) - f64::from(w[0].1);
                dx.hypot(dy)
            })
            .sum()
    }

    /// The canonical text form, as stored.
    pub fn to_text(&self) -> String {
        self.strokes
            .iter()
            .map(|s| {
                s.iter()
                    .map(|(x, y)| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    /// SVG path data (`M x y L x y …`) drawing the strokes on a `0 0 WIDTH HEIGHT` view box.
    pub fn svg_path(&self) -> String {
        let mut d = String::new();
        for stroke in &self.strokes {
            for (i, (x, y)) in stroke.iter().enumerate() {
                let verb = if i == 0 { 'M' } else { 'L' };
                if !d.is_empty() {
                    d.push(' ');
                }
                d.push_str(&format!("{verb}{x} {y}"));
            }
            // A one-point stroke still shows as a dot.
            if stroke.len() == 1 {
                d.push_str(" l0.1 0");
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NAME: &str = "10,50 60,40 120,80|150,20 150,120";

    #[test]
    fn a_signature_reads_and_draws() {
        let s = Signature::parse(NAME).expect("signature");
        assert_eq!(s.to_text(), NAME);
        assert!(s.ink() > 200.0);
        assert_eq!(s.svg_path(), "M10 50 L60 40 L120 80 M150 20 L150 120");
        // Extra spaces and empty strokes are tolerated; the stored form is canonical.
        let loose = Signature::parse(" 10,50  60,40 120,80 || 150,20 150,120 ").expect("loose");
        assert_eq!(loose.to_text(), NAME);
    }

    #[test]
    fn bad_signatures_are_refused_with_the_reason() {
        for (text, error) in [
            ("", SignatureError::Empty),
            ("  |  ", SignatureError::Empty),
            ("10,10 12,12", SignatureError::TooLittle),
            ("10;10 200,10", SignatureError::Malformed),
            ("-1,10 200,10", SignatureError::Malformed),
            ("1.5,10 200,10", SignatureError::Malformed),
            ("10,10 601,10", SignatureError::OutOfPad),
            ("10,10 100,201", SignatureError::OutOfPad),
            ("10,10 99999,10", SignatureError::OutOfPad),
            ("<svg onload=x>", SignatureError::Malformed),
        ] {
            assert_eq!(Signature::parse(text), Err(error), "{text:?}");
        }
        let long = vec!["1,1 500,1"; MAX_POINTS / 2 + 1].join("|");
        assert_eq!(Signature::parse(&long), Err(SignatureError::TooLong));
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panic(text in "\\PC{0,200}") {
            let _ = Signature::parse(&text);
        }

        #[test]
        fn the_stored_form_reads_back_the_same(
            strokes in prop::collection::vec(
                prop::collection::vec((0..=WIDTH, 0..=HEIGHT), 1..30), 1..6)
        ) {
            let text = strokes.iter()
                .map(|s| s.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>().join("|");
            match Signature::parse(&text) {
                Ok(s) => {
                    prop_assert_eq!(s.to_text(), text.clone());
                    prop_assert_eq!(Signature::parse(&s.to_text()), Ok(s));
                }
                Err(e) => prop_assert_eq!(e, SignatureError::TooLittle),
            }
        }
    }
}
