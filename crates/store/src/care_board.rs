//! The care programme beyond a child's record: micro-wishes, activities with their attendance, and
//! parents' messages to the proxy parent (sealed by the app's vault).

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::care::{ActivitySummary, Wish, WishState};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::care::in_area;
use crate::{NewMessage, Page, Store, StoreError, audit, decode};

const WISH: &str = "SELECT w.id, w.child_id, c.township, w.wish, w.state, w.taken_by, \
     COALESCE(u.display_name, '') AS taken_by_name, w.donor, w.note, w.recorded_by, w.created_at, w.updated_at \
     FROM care_wishes w JOIN care_children c ON c.id = w.child_id LEFT JOIN users u ON u.id = w.taken_by";

fn wish(r: &AnyRow) -> Result<Wish, StoreError> {
    let id: String = r.try_get("id")?;
    let state: String = r.try_get("state")?;
    Ok(Wish {
        state: decode::named("care_wishes", &id, "state", &state, WishState::parse)?,
        id,
        child_id: r.try_get("child_id")?,
        township: r.try_get("township")?,
        wish: r.try_get("wish")?,
        taken_by: r.try_get("taken_by")?,
        taken_by_name: r.try_get("taken_by_name")?,
        donor: r.try_get("donor")?,
        note: r.try_get("note")?,
        recorded_by: r.try_get("recorded_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A wish's move to its next state, written only if it is still in `from`.
pub struct WishMove<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub taken_by: Option<&'a str>,
    pub donor: &'a str,
    pub note: &'a str,
    pub now: i64,
}

impl Store {
    pub async fn insert_wish(&self, row: &Wish, record: &AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO care_wishes (id, child_id, wish, state, note, recorded_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 'open', '', $4, $5, $5)",
        )
        .bind(&row.id)
        .bind(&row.child_id)
        .bind(&row.wish)
        .bind(&row.recorded_by)
        .bind(row.created_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn wish(&self, id: &str) -> Result<Option<Wish>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{WISH} WHERE w.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(wish).transpose()
    }

    /// Wishes in one state (or all) of the children of `area`'s townships (`None`: the
    /// county), oldest first: the board.
    pub async fn wishes(
        &self,
        state: &str,
        area: Option<&[String]>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Wish>, StoreError> {
        let within = in_area("c.township", 2, area);
        let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM care_wishes w JOIN care_children c ON c.id = w.child_id \
             WHERE ($1 = '' OR w.state = $1) AND {within}"
        )))
        .bind(state);
        for name in area.unwrap_or_default() {
            count = count.bind(name);
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let (limit_at, offset_at) = (
            2 + area.map_or(0, <[String]>::len),
            3 + area.map_or(0, <[String]>::len),
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{WISH} WHERE ($1 = '' OR w.state = $1) AND {within} \
             ORDER BY w.created_at, w.id LIMIT ${limit_at} OFFSET ${offset_at}"
        )))
        .bind(state);
        for name in area.unwrap_or_default() {
            list = list.bind(name);
        }
        let rows = list
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        Ok(Page {
            items: rows.iter().map(wish).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            offset,
        })
    }

    /// A child's wishes, newest first.
    pub async fn wishes_of_child(&self, child_id: &str) -> Result<Vec<Wish>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{WISH} WHERE w.child_id = $1 ORDER BY w.created_at DESC, w.id"
        )))
        .bind(child_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(wish).collect()
    }

    /// Moves a wish on with its audit entry; `false` (nothing written) when it had already moved.
    pub async fn move_wish(
        &self,
        change: &WishMove<'_>,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let moved = sqlx::query(
            "UPDATE care_wishes SET state = $1, taken_by = COALESCE($2, taken_by), \
             donor = CASE WHEN $3 = '' THEN donor ELSE $3 END, note = $4, updated_at = $5 \
             WHERE id = $6 AND state = $7",
        )
        .bind(change.to)
        .bind(change.taken_by)
        .bind(change.donor)
        .bind(change.note)
        .bind(change.now)
        .bind(change.id)
        .bind(change.from)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }
}

const ACTIVITY: &str = "SELECT a.id, a.theme, a.activity_date, a.township, a.place, a.organisers, a.created_by, \
     a.created_at, (SELECT COUNT(*) FROM care_attendance t WHERE t.activity_id = a.id AND t.kind = 'child') AS children, \
     (SELECT COUNT(*) FROM care_attendance t WHERE t.activity_id = a.id AND t.kind = 'volunteer') AS volunteers \
     FROM care_activities a";

fn activity(r: &AnyRow) -> Result<ActivitySummary, StoreError> {
    let id: String = r.try_get("id")?;
    let date: String = r.try_get("activity_date")?;
    Ok(ActivitySummary {
        date: decode::parsed("care_activities", &id, "activity_date", &date)?,
        id,
        theme: r.try_get("theme")?,
        township: r.try_get("township")?,
        place: r.try_get("place")?,
        organisers: r.try_get("organisers")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        children: r.try_get("children")?,
        volunteers: r.try_get("volunteers")?,
    })
}

impl Store {
    pub async fn insert_activity(
        &self,
        row: &ActivitySummary,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO care_activities (id, theme, activity_date, township, place, organisers, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.id)
        .bind(&row.theme)
        .bind(row.date.to_string())
        .bind(&row.township)
        .bind(&row.place)
        .bind(&row.organisers)
        .bind(&row.created_by)
        .bind(row.created_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn activity(&self, id: &str) -> Result<Option<ActivitySummary>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(activity).transpose()
    }

    /// Activities in `area`'s townships (`None`: the county), the latest day first.
    pub async fn activities(
        &self,
        area: Option<&[String]>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<ActivitySummary>, StoreError> {
        let within = in_area("a.township", 1, area);
        let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM care_activities a WHERE {within}"
        )));
        for name in area.unwrap_or_default() {
            count = count.bind(name);
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let (limit_at, offset_at) = (
            1 + area.map_or(0, <[String]>::len),
            2 + area.map_or(0, <[String]>::len),
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACTIVITY} WHERE {within} \
             ORDER BY a.activity_date DESC, a.created_at DESC, a.id LIMIT ${limit_at} OFFSET ${offset_at}"
        )));
        for name in area.unwrap_or_default() {
            list = list.bind(name);
        }
        let rows = list
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        Ok(Page {
            items: rows.iter().map(activity).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            offset,
        })
    }

    /// The activities a child came to, the latest first.
    pub async fn activities_of_child(
        &self,
        child_id: &str,
    ) -> Result<Vec<ActivitySummary>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACTIVITY} WHERE a.id IN (SELECT activity_id FROM care_attendance WHERE kind = 'child' AND who = $1) \
             ORDER BY a.activity_date DESC, a.id"
        )))
        .bind(child_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(activity).collect()
    }

    /// Who came to an activity: `(kind, who)` with `kind` `child` or `volunteer`.
    pub async fn attendance(&self, activity_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, who FROM care_attendance WHERE activity_id = $1 ORDER BY kind, who",
        )
        .bind(activity_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("who")?)))
            .collect()
    }

    /// Replaces an activity's attendance with its audit entry, in one transaction.
    pub async fn set_attendance(
        &self,
        activity_id: &str,
        attendance: &[(&str, String)],
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM care_attendance WHERE activity_id = $1")
            .bind(activity_id)
            .execute(&mut *tx)
            .await?;
        for (kind, who) in attendance {
            sqlx::query("INSERT INTO care_attendance (activity_id, kind, who) VALUES ($1, $2, $3)")
                .bind(activity_id)
                .bind(*kind)
                .bind(who)
                .execute(&mut *tx)
                .await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}

crate::decode::stored_row! {
    /// A parent's message to her child's proxy parent.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct CareMessageRow {
        pub id: String,
        pub child_id: String,
        pub from_user: String,
        pub from_name: String,
        pub to_user: String,
        pub to_name: String,
        pub body_sealed: String,
        pub sent_at: i64,
    }
}

impl crate::decode::Table for CareMessageRow {
    const TABLE: &'static str = "care_messages";
}

impl Store {
    /// Stores a message with the notices telling its reader and the audit entry, in one
    /// transaction.
    pub async fn insert_care_message(
        &self,
        row: &CareMessageRow,
        notices: &[NewMessage],
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO care_messages (id, child_id, from_user, to_user, body_sealed, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.id)
        .bind(&row.child_id)
        .bind(&row.from_user)
        .bind(&row.to_user)
        .bind(&row.body_sealed)
        .bind(row.sent_at)
        .execute(&mut *tx)
        .await?;
        for notice in notices {
            crate::outbox::enqueue(&mut tx, notice, row.sent_at).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many messages `from_user` sent about a child since `since`.
    pub async fn care_messages_sent(
        &self,
        child_id: &str,
        from_user: &str,
        since: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM care_messages WHERE child_id = $1 AND from_user = $2 AND sent_at >= $3",
        )
        .bind(child_id)
        .bind(from_user)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The messages about a child, newest first.
    pub async fn care_messages(&self, child_id: &str) -> Result<Vec<CareMessageRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.child_id, m.from_user, COALESCE(f.display_name, '') AS from_name, m.to_user, \
             COALESCE(t.display_name, '') AS to_name, m.body_sealed, m.sent_at FROM care_messages m \
             JOIN users f ON f.id = m.from_user JOIN users t ON t.id = m.to_user \
             WHERE m.child_id = $1 ORDER BY m.sent_at DESC, m.id",
        )
        .bind(child_id)
        .fetch_all(&self.pool)
        .await?;
        crate::decode::read_all(&rows)
    }
}
