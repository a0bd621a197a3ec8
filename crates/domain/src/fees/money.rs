//! Amounts of money as integer fen (1 yuan = 100 fen), never floats: yuan as people type them, as
//! receipts print them, and in capital numerals (大写), which receipts carry so that an amount cannot
//! be altered by adding a stroke.

use thiserror::Error;

/// The largest amount Qiaoyi records: 999,999,999.99 yuan. Far above any fee, and small enough that
/// sums of many postings cannot overflow an `i64`.
pub const MAX_FEN: i64 = 99_999_999_999;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AmountError {
    #[error("enter an amount in yuan, e.g. 120 or 120.50")]
    Empty,
    #[error("an amount cannot be negative; record a refund instead")]
    Negative,
    #[error(
        "\"{0}\" is not an amount in yuan; write digits with at most one decimal point, e.g. 120.50"
    )]
    Malformed(String),
    #[error("an amount has at most two decimals (fen)")]
    TooPrecise,
    #[error("an amount must be at most 999,999,999.99 yuan")]
    TooLarge,
}

/// Reads yuan as typed: `120`, `120.5`, `120.50`, `1,200.00`, `¥120`. Zero is an amount; whether it
/// may be recorded is the ledger's rule.
pub fn parse_yuan(text: &str) -> Result<i64, AmountError> {
    let text = text.trim();
    let text = text
        .strip_prefix('¥')
        .or_else(|| text.strip_prefix('￥'))
        .unwrap_or(text)
        .trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    if text.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let malformed = || AmountError::Malformed(text.chars().take(40).collect());
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: String = whole.chars().filter(|c| *c != ',').collect();
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || text.ends_with('.')
    {
        return Err(malformed());
    }
    if fraction.len() > 2 {
        return Err(AmountError::TooPrecise);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 9 {
        return Err(AmountError::TooLarge);
    }
    let yuan: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| malformed())?
    };
    let fen: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| malformed())? * 10,
        _ => fraction.parse().map_err(|_| malformed())?,
    };
    Ok(yuan * 100 + fen)
}

/// `123456` → `1,234.56`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let yuan = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];

/// The amount in capital numerals as written on Chinese receipts and cheques: `120.50` →
/// `壹佰贰拾元伍角`, `1005` → `壹仟零伍元整`, `0` → `零元整`. Runs of zeros read as one 零; a 万 or 亿
/// group of zeros is left out. `None` outside 0..=[`MAX_FEN`].
pub fn capital_numerals(fen: i64) -> Option<String> {
    if !(0..=MAX_FEN).contains(&fen) {
        return None;
    }
    let yuan = fen / 100;
    let (jiao, fen) = ((fen / 10 % 10) as usize, (fen % 10) as usize);
    let mut out = String::new();
    if yuan > 0 {
        let digits: Vec<usize> = yuan
            .to_string()
            .bytes()
            .rev()
            .map(|b| usize::from(b - b'0'))
            .collect();
        let mut zero = false;
        for place in (0..digits.len()).rev() {
            let d = digits[place];
            if d == 0 {
                zero = true;
            } else {
                if zero {
                    out.push('零');
                }
                zero = false;
                out.push(DIGITS[d]);
                out.push_str(PLACES[place % 4]);
            }
            if place % 4 == 0
                && place > 0
                && digits[place..(place + 4).min(digits.len())]
                    .iter()
                    .any(|d| *d > 0)
            {
                out.push(if place == 4 { '万' } else { '亿' });
            }
        }
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push('角');
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads capital numerals back, to prove [`capital_numerals`] loses nothing.
    fn read_capitals(text: &str) -> Option<i64> {
        let (mut total, mut section, mut digit) = (0i64, 0i64, 0i64);
        let mut fen = 0i64;
        for c in text.chars() {
            if let Some(d) = DIGITS.iter().position(|x| *x == c) {
                digit = d as i64;
                continue;
            }
            match c {
                '拾' => section += digit * 10,
                '佰' => section += digit * 100,
                '仟' => section += digit * 1000,
                '亿' => {
                    total += (section + digit) * 100_000_000;
                    section = 0;
                }
                '万' => {
                    total += (section + digit) * 10_000;
                    section = 0;
                }
                '元' => {
                    total += section + digit;
                    section = 0;
                }
                '角' => fen += digit * 10,
                '分' => fen += digit,
                '整' => {}
                _ => return None,
            }
            digit = 0;
        }
        Some(total * 100 + fen)
    }

    #[test]
    fn capitals_follow_the_writing_rules() {
        let cases = [
            (0, "零元整"),
            (5, "伍分"),
            (50, "伍角"),
            (100, "壹元整"),
            (1_000, "壹拾元整"),
            (12_050, "壹佰贰拾元伍角"),
            (12_000, "壹佰贰拾元整"),
            (100_500, "壹仟零伍元整"),
            (105_000, "壹仟零伍拾元整"),
            (100_001, "壹仟元零壹分"),
            (10_000_000, "壹拾万元整"),
            (10_010_000, "壹拾万零壹佰元整"),
            (100_010_000, "壹佰万零壹佰元整"),
            (1_000_000_000, "壹仟万元整"),
            (10_000_000_100, "壹亿零壹元整"),
            (10_100_000_000, "壹亿零壹佰万元整"),
            (168_032, "壹仟陆佰捌拾元叁角贰分"),
            (MAX_FEN, "玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ];
        for (fen, text) in cases {
            assert_eq!(capital_numerals(fen).as_deref(), Some(text), "{fen}");
        }
        assert_eq!(capital_numerals(-1), None);
        assert_eq!(capital_numerals(MAX_FEN + 1), None);
    }

    #[test]
    fn yuan_are_read_as_typed() {
        assert_eq!(parse_yuan("120"), Ok(12_000));
        assert_eq!(parse_yuan(" 120.5 "), Ok(12_050));
        assert_eq!(parse_yuan("¥1,200.05"), Ok(120_005));
        assert_eq!(parse_yuan("￥0.01"), Ok(1));
        assert_eq!(parse_yuan(".5"), Ok(50));
        assert_eq!(parse_yuan("999999999.99"), Ok(MAX_FEN));
        assert_eq!(parse_yuan(""), Err(AmountError::Empty));
        assert_eq!(parse_yuan("-5"), Err(AmountError::Negative));
        assert_eq!(parse_yuan("1.234"), Err(AmountError::TooPrecise));
        assert_eq!(parse_yuan("1000000000"), Err(AmountError::TooLarge));
        assert_eq!(
            parse_yuan("99999999999999999999999"),
            Err(AmountError::TooLarge)
        );
        for bad in ["abc", "1.2.3", "1e5", "12.", ".", "１２", "+5", "1 000"] {
            assert!(
                matches!(parse_yuan(bad), Err(AmountError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn yuan_are_printed_with_thousands() {
        assert_eq!(format_yuan(0), "0.00");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(123_456), "1,234.56");
        assert_eq!(format_yuan(MAX_FEN), "999,999,999.99");
        assert_eq!(format_yuan(-12_000), "-120.00");
    }

    proptest! {
        #[test]
        fn capitals_read_back_to_the_same_amount(fen in 0..=MAX_FEN) {
            let text = capital_numerals(fen).expect("in range");
            prop_assert_eq!(read_capitals(&text), Some(fen), "{}", text);
            prop_assert!(!text.contains("零零"));
        }

        #[test]
        fn printed_yuan_read_back(fen in 0..=MAX_FEN) {
            prop_assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
        }

        #[test]
        fn any_text_is_read_or_refused_without_panic(text in "\\PC{0,30}") {
            if let Ok(fen) = parse_yuan(&text) {
                prop_assert!((0..=MAX_FEN).contains(&fen));
            }
        }
    }
}
