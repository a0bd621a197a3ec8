//! The columns that keep a domain value as text (a state, a code, a date) are read into that value
//! here, at the store's edge: the rows the store hands out are typed, and text this version cannot
//! read is a [`StoreError::CorruptRow`] naming the table, the row and the column, not a guess or a
//! panic further up.
//!
//! A row type the store owns is defined with [`stored_row!`], which writes its `sqlx::FromRow`:
//! plain columns decode as they are, and a column keeping a domain value is marked `as Text`.
//! [`Table::read`] turns a column that holds no such value into the `CorruptRow` above.

use jiff::civil::Date;
use qiaoyi_domain::access::{Grant, Role};
use qiaoyi_domain::cases::{CaseState, Channel, Relation};
use qiaoyi_domain::catalog::{Delivery, ItemCode, StationCode, Workflow};
use qiaoyi_domain::identity::DocumentKind;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::mandates::MandateState;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::StoreError;

/// A domain value kept as text. Both directions are defined together, so that no value is written
/// in a form it cannot be read back in.
pub(crate) trait Text: Sized {
    fn to_text(&self) -> String;
    /// `None` for text that holds no such value.
    fn from_text(text: &str) -> Option<Self>;
}

/// The domain's enums, written as their `as_str` and read with their `parse`.
macro_rules! named {
    ($($name:ty),*) => {$(
        impl Text for $name {
            fn to_text(&self) -> String {
                self.as_str().to_owned()
            }
            fn from_text(text: &str) -> Option<Self> {
                <$name>::parse(text)
            }
        }
    )*};
}
named!(
    CaseState,
    Channel,
    Relation,
    Delivery,
    Workflow,
    MandateState,
    Role,
    DocumentKind
);

/// Codes and dates, written as they display and read with `FromStr`.
macro_rules! displayed {
    ($($name:ty),*) => {$(
        impl Text for $name {
            fn to_text(&self) -> String {
                self.to_string()
            }
            fn from_text(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}
displayed!(StationCode, ItemCode, Date);

/// A language as its tag; only the exact tags Qiaoyi writes read back.
impl Text for Lang {
    fn to_text(&self) -> String {
        self.tag().to_owned()
    }
    fn from_text(text: &str) -> Option<Self> {
        Lang::ALL.into_iter().find(|lang| lang.tag() == text)
    }
}

/// Item codes separated by spaces; every one of them must read.
impl Text for Vec<ItemCode> {
    fn to_text(&self) -> String {
        self.iter()
            .map(ItemCode::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
    fn from_text(text: &str) -> Option<Self> {
        text.split_whitespace().map(ItemCode::from_text).collect()
    }
}

/// Grants as `role:scope` (or `role`) separated by commas; every one of them must read.
impl Text for Vec<Grant> {
    fn to_text(&self) -> String {
        self.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
    fn from_text(text: &str) -> Option<Self> {
        text.split(',').map(|g| Grant::parse_text(g).ok()).collect()
    }
}

/// A row type of one table, read by the `FromRow` that [`stored_row!`] writes for it.
pub(crate) trait Table: for<'r> FromRow<'r, AnyRow> {
    const TABLE: &'static str;
    /// The column that names the row in an error.
    const KEY: &'static str = "id";

    /// Reads `row`; a column that holds no value of its type is a [`StoreError::CorruptRow`].
    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Self::from_row(row).map_err(|e| match e {
            sqlx::Error::ColumnDecode { index, .. } => StoreError::CorruptRow {
                table: Self::TABLE,
                key: row.try_get(Self::KEY).unwrap_or_default(),
                reason: format!("{index} cannot be read"),
            },
            other => other.into(),
        })
    }
}

/// Reads every row of `rows`.
pub(crate) fn read_all<T: Table>(rows: &[AnyRow]) -> Result<Vec<T>, StoreError> {
    rows.iter().map(T::read).collect()
}

/// Reads the text of `column` into the value it keeps (or `None` for NULL where `T` is an
/// `Option`). The error names the column but not its text, which may be personal.
pub(crate) fn text_column<T: Column>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let text: Option<String> = row.try_get(column)?;
    T::from_column(text.as_deref()).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: "the text holds no such value".into(),
    })
}

/// Defines a row type the store owns with its `sqlx::FromRow`: each field is read from the
/// column of its name, or of the name after `=`, as its type decodes, or as its marker says:
/// `as Text` for a domain value kept as text (through [`Text`], an `Option` for a column that may
/// be NULL), `as Flag` for a `bool` kept as 0 or 1, `as Flatten` for a row type read from the same
/// row, `as Default` for a field filled in afterwards. Written by hand rather than by sqlx's
/// derive, whose macros build both database drivers and SQLite's C library a second time.
macro_rules! stored_row {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                pub $field:ident: $ty:ty $(as $how:ident)? $(= $column:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$field_meta])*
                pub $field: $ty,
            )*
        }

        impl<'r> ::sqlx::FromRow<'r, ::sqlx::any::AnyRow> for $name {
            fn from_row(row: &'r ::sqlx::any::AnyRow) -> Result<Self, ::sqlx::Error> {
                Ok($name {
                    $(
                        $field: $crate::decode::stored_row!(
                            @read row, $ty, [$($column,)? stringify!($field)] $($how)?
                        ),
                    )*
                })
            }
        }
    };
    (@read $row:ident, $ty:ty, [$column:expr $(, $rest:expr)?]) => {
        ::sqlx::Row::try_get::<$ty, _>($row, $column)?
    };
    (@read $row:ident, $ty:ty, [$column:expr $(, $rest:expr)?] Text) => {
        $crate::decode::text_column::<$ty>($row, $column)?
    };
    (@read $row:ident, $ty:ty, [$column:expr $(, $rest:expr)?] Flag) => {
        ::sqlx::Row::try_get::<i64, _>($row, $column)? != 0
    };
    (@read $row:ident, $ty:ty, [$column:expr $(, $rest:expr)?] Flatten) => {
        <$ty as ::sqlx::FromRow<'_, ::sqlx::any::AnyRow>>::from_row($row)?
    };
    (@read $row:ident, $ty:ty, [$column:expr $(, $rest:expr)?] Default) => {
        <$ty as ::std::default::Default>::default()
    };
}
pub(crate) use stored_row;

/// What a column is read into: a [`Text`] value, or an `Option` of one where the column may be
/// NULL.
pub(crate) trait Column: Sized {
    /// `None` for text that holds no such value, and for NULL where a value is required.
    fn from_column(text: Option<&str>) -> Option<Self>;
}

impl<T: Text> Column for T {
    fn from_column(text: Option<&str>) -> Option<Self> {
        text.and_then(T::from_text)
    }
}

impl<T: Text> Column for Option<T> {
    fn from_column(text: Option<&str>) -> Option<Self> {
        match text {
            None => Some(None),
            Some(text) => T::from_text(text).map(Some),
        }
    }
}

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
pub(crate) fn parsed<T: std::str::FromStr>(
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
pub(crate) fn parsed_opt<T: std::str::FromStr>(
    table: &'static str,
    key: &str,
    column: &str,
    text: Option<&str>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parsed(table, key, column, t)).transpose()
}

#[cfg(test)]
mod tests {
    use qiaoyi_domain::access::audit::AuditRecord;

    use super::*;
    use crate::testing::{TestStore, test_store};
    use crate::{DocumentRow, MandateRow, NewCase, PersonRow, Store};

    fn round_trips<T: Text + PartialEq + std::fmt::Debug>(values: impl IntoIterator<Item = T>) {
        for value in values {
            assert_eq!(T::from_text(&value.to_text()), Some(value));
        }
    }

    #[test]
    fn every_value_reads_back_as_it_was_written() {
        round_trips(CaseState::ALL);
        round_trips(Channel::ALL);
        round_trips(Relation::ALL);
        round_trips(Delivery::ALL);
        round_trips(MandateState::ALL);
        round_trips(Role::ALL);
        round_trips(DocumentKind::ALL);
        let code = |c: &str| c.parse::<ItemCode>().expect("item code");
        round_trips([
            "IT-ROM".parse::<StationCode>().expect("station code"),
            "ES-MAD".parse().expect("station code"),
        ]);
        round_trips([Date::constant(1950, 4, 2), Date::constant(2028, 2, 29)]);
        round_trips([
            vec![],
            vec![code("EE-01")],
            vec![code("EE-01"), code("CE-12")],
        ]);
    }

    #[test]
    fn text_that_holds_no_value_is_refused() {
        assert_eq!(CaseState::from_text("lost"), None);
        assert_eq!(Date::from_text("1950-02-30"), None);
        assert_eq!(StationCode::from_text("IT-RO1"), None);
        assert_eq!(Vec::<ItemCode>::from_text("EE-01 ee-02"), None);
        assert_eq!(<Option<Date>>::from_column(None), Some(None));
        assert_eq!(Date::from_column(None), None);
        assert_eq!(<Option<Date>>::from_column(Some("soon")), None);
    }

    /// A store with two accounts, `u-1` and `u-2`, for the rows that refer to them.
    async fn with_accounts() -> TestStore {
        let store = test_store().await;
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, language, created_at) \
             VALUES ('u-1', 'u-1@qiaoyi.example', 'U', '', 'en', 0), \
             ('u-2', 'u-2@qiaoyi.example', 'V', '', 'en', 0)",
        )
        .execute(&store.pool)
        .await
        .expect("accounts");
        store
    }

    /// Puts text no reader expects into a stored row, as a faulty import or a hand edit would.
    async fn spoil(store: &Store, sql: &'static str) {
        sqlx::query(sql)
            .execute(&store.pool)
            .await
            .expect("spoil the row");
    }

    fn record() -> AuditRecord {
        AuditRecord {
            seq: 0,
            at_ms: 1,
            actor: "u-1".into(),
            role: "applicant".into(),
            station: String::new(),
            action: "test".into(),
            subject_type: "test".into(),
            subject_id: String::new(),
            purpose: String::new(),
            outcome: "ok".into(),
            client: String::new(),
            person: String::new(),
        }
    }

    #[track_caller]
    fn assert_corrupt(err: StoreError, table: &str, key: &str, column: &str) {
        match err {
            StoreError::CorruptRow {
                table: t,
                key: k,
                reason,
            } => {
                assert_eq!((t, k.as_str()), (table, key));
                assert_eq!(reason, format!("{column} cannot be read"));
            }
            other => panic!("expected a corrupt {table} row, got {other}"),
        }
    }

    #[tokio::test]
    async fn a_case_reads_back_typed_and_a_spoilt_date_names_its_column() {
        let store = with_accounts().await;
        let new = NewCase {
            id: "c-1".into(),
            number_prefix: "QT".into(),
            year: 2026,
            item_code: "EE-01".into(),
            category: "exit-entry".into(),
            workflow: Workflow::Standard,
            applicant_id: Some("u-1".into()),
            filed_by: "u-1".into(),
            station: Some("IT-ROM".parse().expect("station code")),
            channel: Channel::Station,
            person_name: "季美华".into(),
            person_name_latin: "JI MEIHUA".into(),
            person_birth_date: Date::constant(1950, 4, 2),
            relation: Relation::Myself,
            delivery: Delivery::Station,
            person_id: None,
            mandate_id: None,
        };
        store
            .create_case(&new, 1, &record(), &|_| Vec::new())
            .await
            .expect("create");
        let row = store.case_by_id("c-1").await.expect("read").expect("found");
        assert_eq!(row.state, CaseState::Draft);
        assert_eq!(
            (
                row.station,
                row.channel,
                row.person_birth_date,
                row.relation,
                row.delivery
            ),
            (
                new.station,
                new.channel,
                new.person_birth_date,
                new.relation,
                new.delivery
            )
        );
        assert_eq!((row.deadline, row.green_due), (None, None));

        spoil(
            &store,
            "UPDATE cases SET person_birth_date = '1950-02-30' WHERE id = 'c-1'",
        )
        .await;
        let err = store.case_by_id("c-1").await.expect_err("refused");
        assert_corrupt(err, "cases", "c-1", "person_birth_date");
    }

    #[tokio::test]
    async fn a_mandate_reads_back_typed_and_a_spoilt_date_names_its_column() {
        let store = with_accounts().await;
        let written = MandateRow {
            id: "m-1".into(),
            principal_id: "u-1".into(),
            agent_id: "u-2".into(),
            agent_role: Role::Applicant,
            relation: Relation::Child,
            items: vec![
                "EE-01".parse().expect("code"),
                "CE-12".parse().expect("code"),
            ],
            valid_from: Date::constant(2026, 1, 1),
            valid_to: Date::constant(2027, 12, 31),
            evidence: "notarised power of attorney 123".into(),
            state: MandateState::Pending,
            code_sealed: "sealed".into(),
            wrong_attempts: 0,
            codes_sent: 1,
            created_at: 1,
            confirmed_at: None,
            confirmed_how: None,
            revoked_at: None,
            revoked_by: None,
            revoke_reason: String::new(),
        };
        store
            .create_mandate(&written, &record(), &[])
            .await
            .expect("create");
        let read = store.mandate("m-1").await.expect("read").expect("found");
        assert_eq!(read.mandate, written);

        spoil(
            &store,
            "UPDATE mandates SET valid_to = 'soon' WHERE id = 'm-1'",
        )
        .await;
        let err = store.mandate("m-1").await.expect_err("refused");
        assert_corrupt(err, "mandates", "m-1", "valid_to");
    }

    #[tokio::test]
    async fn a_person_and_a_document_read_back_typed_and_a_spoilt_date_names_its_column() {
        let store = with_accounts().await;
        let person = PersonRow {
            id: "p-1".into(),
            owner_id: "u-1".into(),
            relation: Relation::Parent,
            name: "季美华".into(),
            name_latin: "JI MEIHUA".into(),
            birth_date: Date::constant(1950, 4, 2),
            country: "IT".into(),
            city: "Prato".into(),
            phone: String::new(),
            disability_sealed: None,
            disability_consent_at: None,
            created_at: 1,
            updated_at: 1,
        };
        store.save_person(&person, &record()).await.expect("save");
        let document = DocumentRow {
            id: "d-1".into(),
            person_id: "p-1".into(),
            kind: DocumentKind::Passport,
            number_sealed: "sealed".into(),
            number_index: "index".into(),
            expires_on: Some(Date::constant(2030, 6, 30)),
            created_at: 1,
        };
        store.add_document(&document, &record()).await.expect("add");
        assert_eq!(store.person("p-1").await.expect("read"), Some(person));
        assert_eq!(
            store.documents_of("p-1").await.expect("read"),
            vec![document]
        );

        spoil(
            &store,
            "UPDATE person_documents SET expires_on = '2030-13-01' WHERE id = 'd-1'",
        )
        .await;
        let err = store.documents_of("p-1").await.expect_err("refused");
        assert_corrupt(err, "person_documents", "d-1", "expires_on");

        spoil(
            &store,
            "UPDATE persons SET birth_date = '' WHERE id = 'p-1'",
        )
        .await;
        let err = store.person("p-1").await.expect_err("refused");
        assert_corrupt(err, "persons", "p-1", "birth_date");
    }
}
