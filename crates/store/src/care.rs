//! The care programme's records. Names, villages, the guardian at home and who consented arrive
//! sealed by the app's vault; this module stores and returns them as they are.

use jiff::civil::Date;
use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::care::ParentAbroad;
use qiaoyi_domain::care::pairing::ProxyParent;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::decode::Table;
use crate::{Page, Store, StoreError, audit, decode};

crate::decode::stored_row! {
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ChildRow {
        pub id: String,
        pub name_sealed: String,
        pub birth_date: Date as Text,
        pub township: String,
        pub village_sealed: String,
        pub school: String,
        pub guardian_sealed: String,
        pub languages: i64,
        pub consent_version: i64,
        pub consent_by_sealed: String,
        pub consent_relation: String,
        pub consented_at: i64,
        pub photo_allowed: bool as Flag,
        pub recorded_by: String,
        pub created_at: i64,
        /// The volunteer the family asked for as proxy parent, if any.
        pub preferred_volunteer: Option<String>,
    }
}

impl crate::decode::Table for ChildRow {
    const TABLE: &'static str = "care_children";
}

const COLUMNS: &str = "id, name_sealed, birth_date, township, village_sealed, school, guardian_sealed, languages, \
     consent_version, consent_by_sealed, consent_relation, consented_at, photo_allowed, recorded_by, created_at, preferred_volunteer";

/// Children of one township (`$1`, or all when empty) and paired now with one volunteer (`$2`, or
/// any when empty).
const CHILDREN_OF: &str = "($1 = '' OR township = $1) AND ($2 = '' OR id IN \
     (SELECT child_id FROM care_pairings WHERE volunteer_id = $2 AND ended_at IS NULL))";

/// `column IN ($first, …)` for an area's townships: true for the whole county (`None`), false
/// for an area of no township.
pub(crate) fn in_area(column: &str, first: usize, area: Option<&[String]>) -> String {
    match area {
        None => "1 = 1".into(),
        Some([]) => "1 = 0".into(),
        Some(townships) => {
            let params: Vec<String> = (first..first + townships.len())
                .map(|n| format!("${n}"))
                .collect();
            format!("{column} IN ({})", params.join(", "))
        }
    }
}

impl Store {
    /// Records a child with her parents abroad and the audit entry, in one transaction.
    pub async fn insert_child(
        &self,
        row: &ChildRow,
        parents: &[(String, String)],
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO care_children ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        )))
        .bind(&row.id)
        .bind(&row.name_sealed)
        .bind(row.birth_date.to_string())
        .bind(&row.township)
        .bind(&row.village_sealed)
        .bind(&row.school)
        .bind(&row.guardian_sealed)
        .bind(row.languages)
        .bind(row.consent_version)
        .bind(&row.consent_by_sealed)
        .bind(&row.consent_relation)
        .bind(row.consented_at)
        .bind(i64::from(row.photo_allowed))
        .bind(&row.recorded_by)
        .bind(row.created_at)
        .bind(&row.preferred_volunteer)
        .execute(&mut *tx)
        .await?;
        for (user_id, country) in parents {
            sqlx::query(
                "INSERT INTO care_child_parents (child_id, user_id, country) VALUES ($1, $2, $3)",
            )
            .bind(&row.id)
            .bind(user_id)
            .bind(country)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn child(&self, id: &str) -> Result<Option<ChildRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM care_children WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(ChildRow::read).transpose()
    }

    /// Children, newest first, in one township or all of `area` (`None`: the county).
    pub async fn children(
        &self,
        township: &str,
        volunteer: &str,
        area: Option<&[String]>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<ChildRow>, StoreError> {
        let within = in_area("township", 3, area);
        let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM care_children WHERE {CHILDREN_OF} AND {within}"
        )))
        .bind(township)
        .bind(volunteer);
        for name in area.unwrap_or_default() {
            count = count.bind(name);
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let (limit_at, offset_at) = (
            3 + area.map_or(0, <[String]>::len),
            4 + area.map_or(0, <[String]>::len),
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM care_children WHERE {CHILDREN_OF} AND {within} \
             ORDER BY created_at DESC, id LIMIT ${limit_at} OFFSET ${offset_at}"
        )))
        .bind(township)
        .bind(volunteer);
        for name in area.unwrap_or_default() {
            list = list.bind(name);
        }
        let rows = list
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        Ok(Page {
            items: rows.iter().map(ChildRow::read).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            offset,
        })
    }

    /// The parents abroad of a child.
    pub async fn child_parents(&self, child_id: &str) -> Result<Vec<ParentAbroad>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.child_id, p.user_id, COALESCE(u.display_name, '') AS display_name, p.country \
             FROM care_child_parents p JOIN users u ON u.id = p.user_id WHERE p.child_id = $1 ORDER BY u.display_name",
        )
        .bind(child_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ParentAbroad {
                    child_id: r.try_get("child_id")?,
                    user_id: r.try_get("user_id")?,
                    display_name: r.try_get("display_name")?,
                    country: r.try_get("country")?,
                })
            })
            .collect()
    }

    /// The children a parent abroad is linked to.
    pub async fn children_of_parent(&self, user_id: &str) -> Result<Vec<ChildRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM care_children WHERE id IN \
             (SELECT child_id FROM care_child_parents WHERE user_id = $1) ORDER BY birth_date"
        )))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ChildRow::read).collect()
    }
}

crate::decode::stored_row! {
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct VisitRow {
        pub id: String,
        pub child_id: String,
        pub volunteer_id: String,
        pub volunteer_name: String,
        pub visit_date: Date as Text,
        /// Topics separated by spaces.
        pub topics: String,
        pub notes_sealed: String,
        pub follow_up: bool as Flag,
        pub recorded_at: i64,
    }
}

impl crate::decode::Table for VisitRow {
    const TABLE: &'static str = "care_visits";
}

impl Store {
    /// Records a visit with its audit entry.
    pub async fn insert_visit(
        &self,
        row: &VisitRow,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO care_visits (id, child_id, volunteer_id, visit_date, topics, notes_sealed, follow_up, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.id)
        .bind(&row.child_id)
        .bind(&row.volunteer_id)
        .bind(row.visit_date.to_string())
        .bind(&row.topics)
        .bind(&row.notes_sealed)
        .bind(i64::from(row.follow_up))
        .bind(row.recorded_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A child's visits, newest first.
    pub async fn visits_of_child(&self, child_id: &str) -> Result<Vec<VisitRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{VISIT} WHERE v.child_id = $1 ORDER BY v.visit_date DESC, v.recorded_at DESC"
        )))
        .bind(child_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(VisitRow::read).collect()
    }

    /// The visits one volunteer recorded, newest first, each with the child's sealed name: hers
    /// to read again after the child is paired with someone else.
    pub async fn visits_written_by(
        &self,
        volunteer_id: &str,
    ) -> Result<Vec<(VisitRow, String)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{VISIT} WHERE v.volunteer_id = $1 ORDER BY v.visit_date DESC, v.recorded_at DESC"
        )))
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((VisitRow::read(r)?, r.try_get("child_name_sealed")?)))
            .collect()
    }
}

const VISIT: &str = "SELECT v.id, v.child_id, v.volunteer_id, COALESCE(u.display_name, '') AS volunteer_name, \
     v.visit_date, v.topics, v.notes_sealed, v.follow_up, v.recorded_at, c.name_sealed AS child_name_sealed \
     FROM care_visits v JOIN users u ON u.id = v.volunteer_id JOIN care_children c ON c.id = v.child_id";

crate::decode::stored_row! {
    /// A volunteer's profile, with her name and the children paired with her now.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct VolunteerRow {
        pub user_id: String,
        pub display_name: String,
        pub township: String,
        pub languages: i64,
        pub capacity: i64,
        pub availability: String,
        pub load: i64,
    }
}

impl crate::decode::Table for VolunteerRow {
    const TABLE: &'static str = "care_volunteers";
    const KEY: &'static str = "user_id";
}

/// A pairing to start: its id, the child, the volunteer, and the pairing in force it ends
/// (`None`: the child is waiting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPairing {
    pub id: String,
    pub child_id: String,
    pub volunteer_id: String,
    pub replaces: Option<String>,
}

async fn lock_volunteer(tx: &mut crate::WriteTx, user_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE care_volunteers SET capacity = capacity WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn load_of(tx: &mut crate::WriteTx, user_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM care_pairings WHERE volunteer_id = $1 AND ended_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?)
}

const PAIRING: &str = "SELECT p.id, p.child_id, p.volunteer_id, COALESCE(u.display_name, '') AS volunteer_name, \
     p.paired_at, p.paired_by, p.ended_at, p.alerted_at, \
     (SELECT MAX(v.visit_date) FROM care_visits v WHERE v.child_id = p.child_id) AS last_visit, c.township, \
     c.name_sealed AS child_name_sealed \
     FROM care_pairings p JOIN users u ON u.id = p.volunteer_id JOIN care_children c ON c.id = p.child_id";

fn pairing(r: &AnyRow) -> Result<ProxyParent, StoreError> {
    let id: String = r.try_get("id")?;
    let last_visit: Option<String> = r.try_get("last_visit")?;
    Ok(ProxyParent {
        last_visit: decode::parsed_opt("care_pairings", &id, "last_visit", last_visit.as_deref())?,
        id,
        child_id: r.try_get("child_id")?,
        volunteer_id: r.try_get("volunteer_id")?,
        volunteer_name: r.try_get("volunteer_name")?,
        paired_at: r.try_get("paired_at")?,
        paired_by: r.try_get("paired_by")?,
        ended_at: r.try_get("ended_at")?,
        alerted_at: r.try_get("alerted_at")?,
        township: r.try_get("township")?,
    })
}

impl Store {
    /// Saves a volunteer's profile (inserted or replaced) with its audit entry.
    pub async fn save_volunteer(
        &self,
        row: &VolunteerRow,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        // Her row is locked first, so a confirmation pairing her waits, and the count below (a
        // later statement) sees every pairing committed before it.
        lock_volunteer(&mut tx, &row.user_id).await?;
        let load = load_of(&mut tx, &row.user_id).await?;
        if row.capacity < load {
            return tx.fail(StoreError::conflict(format!(
                "you are proxy parent to {load} children now; ask a coordinator to re-pair some before lowering your capacity"
            ))).await;
        }
        sqlx::query(
            "INSERT INTO care_volunteers (user_id, township, languages, capacity, availability, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET township = $2, \
             languages = $3, capacity = $4, availability = $5, updated_at = $6",
        )
        .bind(&row.user_id)
        .bind(&row.township)
        .bind(row.languages)
        .bind(row.capacity)
        .bind(&row.availability)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every volunteer whose account is active, with her current load, by name.
    pub async fn volunteers(&self) -> Result<Vec<VolunteerRow>, StoreError> {
        self.volunteers_where("").await
    }

    /// One volunteer's profile, if she has saved one and her account is active.
    pub async fn volunteer(&self, user_id: &str) -> Result<Option<VolunteerRow>, StoreError> {
        if user_id.is_empty() {
            return Ok(None);
        }
        Ok(self.volunteers_where(user_id).await?.pop())
    }

    async fn volunteers_where(&self, user_id: &str) -> Result<Vec<VolunteerRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.user_id, COALESCE(u.display_name, '') AS display_name, v.township, v.languages, v.capacity, \
             v.availability, (SELECT COUNT(*) FROM care_pairings p WHERE p.volunteer_id = v.user_id \
             AND p.ended_at IS NULL) AS load FROM care_volunteers v JOIN users u ON u.id = v.user_id \
             WHERE u.disabled_at IS NULL AND ($1 = '' OR v.user_id = $1) ORDER BY u.display_name, v.user_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        decode::read_all(&rows)
    }

    /// Children without a pairing in force, oldest record first.
    pub async fn unpaired_children(&self) -> Result<Vec<ChildRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM care_children WHERE id NOT IN \
             (SELECT child_id FROM care_pairings WHERE ended_at IS NULL) ORDER BY created_at, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ChildRow::read).collect()
    }

    /// Confirms pairings: each `NewPairing` ends the pairing it `replaces` (which must still be
    /// in force) or, replacing none, finds the child waiting, and starts the new one; all in one
    /// transaction with the audit entry. Nothing is written if a child's pairing changed
    /// meanwhile or a volunteer would then have more children than her capacity (a conflict).
    pub async fn confirm_pairings(
        &self,
        pairs: &[NewPairing],
        by: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let changed = || {
            StoreError::conflict(
                "someone else changed a child's proxy parent meanwhile; look at the proposal again"
                    .into(),
            )
        };
        let mut tx = self.write_tx().await?;
        // Volunteers' rows locked in one order, so overlapping confirmations queue, not deadlock,
        // and the capacity counts below see each other's pairings.
        let mut volunteers: Vec<&str> = pairs.iter().map(|p| p.volunteer_id.as_str()).collect();
        volunteers.sort_unstable();
        volunteers.dedup();
        for volunteer in &volunteers {
            lock_volunteer(&mut tx, volunteer).await?;
        }
        for pair in pairs {
            if let Some(replaces) = &pair.replaces {
                let ended = sqlx::query(
                    "UPDATE care_pairings SET ended_at = $1 WHERE id = $2 AND child_id = $3 AND ended_at IS NULL",
                )
                .bind(now)
                .bind(replaces)
                .bind(&pair.child_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if ended != 1 {
                    return Err(changed());
                }
            }
            let inserted = sqlx::query(
                "INSERT INTO care_pairings (id, child_id, volunteer_id, paired_at, paired_by) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&pair.id)
            .bind(&pair.child_id)
            .bind(&pair.volunteer_id)
            .bind(now)
            .bind(by)
            .execute(&mut *tx)
            .await;
            match inserted {
                // A child paired by someone else since: one pairing in force per child.
                Err(e) if matches!(&e, sqlx::Error::Database(db) if db.is_unique_violation()) => {
                    return Err(changed());
                }
                other => other?,
            };
        }
        for volunteer in volunteers {
            let over: Option<String> = sqlx::query_scalar(
                "SELECT COALESCE(u.display_name, '') FROM care_volunteers v JOIN users u ON u.id = v.user_id \
                 WHERE v.user_id = $1 AND v.capacity < (SELECT COUNT(*) FROM care_pairings p \
                 WHERE p.volunteer_id = v.user_id AND p.ended_at IS NULL)",
            )
            .bind(volunteer)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(name) = over {
                return tx
                    .fail(StoreError::conflict(format!(
                        "{name} has no room for so many children now; look at the proposal again"
                    )))
                    .await;
            }
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A child's pairings, the one in force first, then the ended ones newest first.
    pub async fn pairings_of_child(&self, child_id: &str) -> Result<Vec<ProxyParent>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAIRING} WHERE p.child_id = $1 ORDER BY (p.ended_at IS NULL) DESC, p.paired_at DESC, p.id"
        )))
        .bind(child_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pairing).collect()
    }

    /// Every pairing in force (of one volunteer, or all), with the child's last visit.
    pub async fn pairings_in_force(&self, volunteer: &str) -> Result<Vec<ProxyParent>, StoreError> {
        Ok(self
            .pairings_in_force_named(volunteer)
            .await?
            .into_iter()
            .map(|(pairing, _)| pairing)
            .collect())
    }

    /// [`Store::pairings_in_force`], each with the child's sealed name, for the boards that name
    /// the children.
    pub async fn pairings_in_force_named(
        &self,
        volunteer: &str,
    ) -> Result<Vec<(ProxyParent, String)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAIRING} WHERE p.ended_at IS NULL AND ($1 = '' OR p.volunteer_id = $1) ORDER BY p.paired_at, p.id"
        )))
        .bind(volunteer)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((pairing(r)?, r.try_get("child_name_sealed")?)))
            .collect()
    }

    /// Queues a pairing's visit alert (deduplicated by the messages' keys) and notes when, in
    /// one transaction. Returns how many messages were queued now.
    pub async fn queue_care_alert(
        &self,
        pairing_id: &str,
        messages: &[crate::NewMessage],
        now: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut queued = 0;
        for message in messages {
            if crate::outbox::enqueue(&mut tx, message, now).await? {
                queued += 1;
            }
        }
        if queued > 0 {
            sqlx::query("UPDATE care_pairings SET alerted_at = $1 WHERE id = $2")
                .bind(now)
                .bind(pairing_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Records the volunteer a child's family asks for (or none), with its audit entry.
    pub async fn set_preferred_volunteer(
        &self,
        child_id: &str,
        volunteer: Option<&str>,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE care_children SET preferred_volunteer = $1 WHERE id = $2")
            .bind(volunteer)
            .bind(child_id)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
