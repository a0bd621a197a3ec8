//! Reading stored text into the domain's types. A value that does not read is a
//! [`StoreError::CorruptRow`] naming the table, the row and the column, never a panic.

use std::str::FromStr;

use crate::StoreError;

/// `text` read by `parse`: a state, a kind or a role as the domain names it.
pub(crate) fn named<T>(
    table: &'static str,
    key: &str,
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(text).ok_or_else(|| StoreError::CorruptRow {
        table,
        key: key.to_owned(),
        reason: format!("unknown {column} {text:?}"),
    })
}

/// Like [`named`], where empty text means none.
pub(crate) fn named_or_none<T>(
    table: &'static str,
    key: &str,
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    if text.is_empty() {
        return Ok(None);
    }
    named(table, key, column, text, parse).map(Some)
}

/// A value kept as its text form: a day (`YYYY-MM-DD`), a month (`YYYY-MM`).
pub(crate) fn parsed<T: FromStr>(
    table: &'static str,
    key: &str,
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::CorruptRow {
        table,
        key: key.to_owned(),
        reason: format!("{column} {text:?} is not a valid value"),
    })
}

/// Like [`parsed`], for a column that may be NULL.
pub(crate) fn parsed_opt<T: FromStr>(
    table: &'static str,
    key: &str,
    column: &str,
    text: Option<&str>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parsed(table, key, column, t)).transpose()
}
