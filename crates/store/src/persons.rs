//! The people an account applies for and their identity documents, each write one transaction with
//! its audit entry.

use jiff::civil::Date;
use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::cases::Relation;
use qiaoyi_domain::identity::DocumentKind;

use crate::decode::Table;
use crate::decode::Text;
use crate::{Store, StoreError, audit};

crate::decode::stored_row! {
    /// A person as stored, the relation and birth date read into the domain's types.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct PersonRow {
        pub id: String,
        pub owner_id: String,
        pub relation: Relation as Text,
        pub name: String,
        pub name_latin: String,
        pub birth_date: Date as Text,
        pub country: String,
        pub city: String,
        pub phone: String,
        pub disability_sealed: Option<String>,
        pub disability_consent_at: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

impl crate::decode::Table for PersonRow {
    const TABLE: &'static str = "persons";
}

crate::decode::stored_row! {
    /// An identity document as stored, its kind and expiry read into the domain's types.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DocumentRow {
        pub id: String,
        pub person_id: String,
        pub kind: DocumentKind as Text,
        pub number_sealed: String,
        pub number_index: String,
        pub expires_on: Option<Date> as Text,
        pub created_at: i64,
    }
}

impl crate::decode::Table for DocumentRow {
    const TABLE: &'static str = "person_documents";
}

const PERSON_COLUMNS: &str = "id, owner_id, relation, name, name_latin, birth_date, country, city, phone, \
     disability_sealed, disability_consent_at, created_at, updated_at";

impl Store {
    /// Inserts a person, or updates one the same owner already has.
    pub async fn save_person(
        &self,
        person: &PersonRow,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE persons SET relation = $1, name = $2, name_latin = $3, birth_date = $4, country = $5, \
             city = $6, phone = $7, disability_sealed = $8, disability_consent_at = $9, updated_at = $10 \
             WHERE id = $11 AND owner_id = $12",
        )
        .bind(person.relation.to_text())
        .bind(&person.name)
        .bind(&person.name_latin)
        .bind(person.birth_date.to_text())
        .bind(&person.country)
        .bind(&person.city)
        .bind(&person.phone)
        .bind(&person.disability_sealed)
        .bind(person.disability_consent_at)
        .bind(person.updated_at)
        .bind(&person.id)
        .bind(&person.owner_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO persons ({PERSON_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            )))
            .bind(&person.id)
            .bind(&person.owner_id)
            .bind(person.relation.to_text())
            .bind(&person.name)
            .bind(&person.name_latin)
            .bind(person.birth_date.to_text())
            .bind(&person.country)
            .bind(&person.city)
            .bind(&person.phone)
            .bind(&person.disability_sealed)
            .bind(person.disability_consent_at)
            .bind(person.created_at)
            .bind(person.updated_at)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn person(&self, id: &str) -> Result<Option<PersonRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(PersonRow::read).transpose()
    }

    /// The people an account has on file, the holder first, then in the order they were added.
    pub async fn persons_of(&self, owner_id: &str) -> Result<Vec<PersonRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE owner_id = $1 \
             ORDER BY CASE WHEN relation = 'self' THEN 0 ELSE 1 END, created_at, id"
        )))
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(PersonRow::read).collect()
    }

    pub async fn add_document(
        &self,
        document: &DocumentRow,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO person_documents (id, person_id, kind, number_sealed, number_index, expires_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&document.id)
        .bind(&document.person_id)
        .bind(document.kind.to_text())
        .bind(&document.number_sealed)
        .bind(&document.number_index)
        .bind(document.expires_on.as_ref().map(Text::to_text))
        .bind(document.created_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a document of a person; `false` when there was no such document.
    pub async fn remove_document(
        &self,
        person_id: &str,
        document_id: &str,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query("DELETE FROM person_documents WHERE id = $1 AND person_id = $2")
            .bind(document_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn documents_of(&self, person_id: &str) -> Result<Vec<DocumentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, person_id, kind, number_sealed, number_index, expires_on, created_at \
             FROM person_documents WHERE person_id = $1 ORDER BY kind, created_at, id",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(DocumentRow::read).collect()
    }
}
