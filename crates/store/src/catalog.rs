//! The catalogue tables: an import that replaces the catalogue in one transaction, and the reads
//! behind the catalogue pages and API.

use std::collections::HashSet;

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::catalog::{
    Catalog, CatalogHeader, Category, Guide, Item, Station, StationRecord,
};
use qiaoyi_domain::lang::Text;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// What an import did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The same files were imported before; nothing was written.
    Unchanged,
    Imported {
        categories: usize,
        items: usize,
        guides: usize,
        stations: usize,
    },
}

/// One page of a longer list, with the length of the whole list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub total: u64,
    pub offset: u64,
    pub items: Vec<T>,
}

impl Store {
    /// Makes `catalog` the catalogue in force: rows are inserted or updated in place, rows the new
    /// catalogue no longer has are deleted, all in one transaction. `progress` is told of every row
    /// written, as (done, total).
    pub async fn import_catalog(
        &self,
        catalog: &Catalog,
        now_ms: i64,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<ImportOutcome, StoreError> {
        let mut tx = self.write_tx().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT digest FROM catalog_imports ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if current.as_deref() == Some(catalog.digest.as_str()) {
            return Ok(ImportOutcome::Unchanged);
        }

        let total = (catalog.categories.len()
            + catalog.items.len()
            + catalog.guides.len()
            + catalog.stations.len()) as u64;
        let mut done = 0;
        let mut tick = || {
            done += 1;
            progress(done, total);
        };

        for (position, category) in catalog.categories.iter().enumerate() {
            sqlx::query(
                "INSERT INTO categories (code, position, data) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET position = excluded.position, data = excluded.data",
            )
            .bind(category.code.as_str())
            .bind(position as i64)
            .bind(to_json(category))
            .execute(&mut *tx)
            .await?;
            tick();
        }
        for (position, item) in catalog.items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO items (code, category, position, catalog_version, data) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET \
                 category = excluded.category, position = excluded.position, \
                 catalog_version = excluded.catalog_version, data = excluded.data",
            )
            .bind(item.code.as_str())
            .bind(item.category.as_str())
            .bind(position as i64)
            .bind(&catalog.version)
            .bind(to_json(item))
            .execute(&mut *tx)
            .await?;
            tick();
        }
        for (position, guide) in catalog.guides.iter().enumerate() {
            sqlx::query(
                "INSERT INTO guides (code, topic, position, data) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET topic = excluded.topic, \
                 position = excluded.position, data = excluded.data",
            )
            .bind(guide.code.as_str())
            .bind(guide.topic.as_str())
            .bind(position as i64)
            .bind(to_json(guide))
            .execute(&mut *tx)
            .await?;
            tick();
        }
        for (position, station) in catalog.stations.iter().enumerate() {
            sqlx::query(
                "INSERT INTO stations (code, country, position, data) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET country = excluded.country, \
                 position = excluded.position, data = excluded.data \
                 WHERE stations.managed_by = 'catalog'",
            )
            .bind(station.code.as_str())
            .bind(&station.country)
            .bind(position as i64)
            .bind(to_json(station))
            .execute(&mut *tx)
            .await?;
            tick();
        }

        // Items go before categories: an item row still pointing at a dropped category would block it.
        let keep = |codes: Vec<&str>| codes.into_iter().map(str::to_owned).collect::<HashSet<_>>();
        let tables: [(&str, HashSet<String>); 4] = [
            (
                "items",
                keep(catalog.items.iter().map(|i| i.code.as_str()).collect()),
            ),
            (
                "guides",
                keep(catalog.guides.iter().map(|g| g.code.as_str()).collect()),
            ),
            (
                "stations",
                keep(catalog.stations.iter().map(|s| s.code.as_str()).collect()),
            ),
            (
                "categories",
                keep(catalog.categories.iter().map(|c| c.code.as_str()).collect()),
            ),
        ];
        for (table, wanted) in tables {
            // An administrator's stations are not the catalogue's to remove.
            let only = if table == "stations" {
                " WHERE managed_by = 'catalog'"
            } else {
                ""
            };
            let existing: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT code FROM {table}{only}"
            )))
            .fetch_all(&mut *tx)
            .await?;
            for code in existing.iter().filter(|c| !wanted.contains(*c)) {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE code = $1")))
                    .bind(code)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match e {
                        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                            StoreError::conflict(format!(
                                "{table} {code} is still in use and cannot be removed from the catalogue"
                            ))
                        }
                        other => other.into(),
                    })?;
            }
        }

        sqlx::query(
            "INSERT INTO catalog_imports (version, digest, bureau, imported_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&catalog.version)
        .bind(&catalog.digest)
        .bind(to_json(&catalog.bureau))
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome::Imported {
            categories: catalog.categories.len(),
            items: catalog.items.len(),
            guides: catalog.guides.len(),
            stations: catalog.stations.len(),
        })
    }

    /// The catalogue in force, or `None` before the first import.
    pub async fn catalog_header(&self) -> Result<Option<CatalogHeader>, StoreError> {
        let row = sqlx::query(
            "SELECT version, digest, bureau, imported_at FROM catalog_imports ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let version: String = row.try_get("version")?;
        Ok(Some(CatalogHeader {
            bureau: from_json(
                "catalog_imports",
                &version,
                &row.try_get::<String, _>("bureau")?,
            )?,
            digest: row.try_get("digest")?,
            imported_at_ms: row.try_get("imported_at")?,
            version,
        }))
    }

    pub async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        let rows = sqlx::query("SELECT code, data FROM categories ORDER BY position")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| decode_row("categories", r)).collect()
    }

    /// Items in catalogue order, optionally only those of one category.
    pub async fn items(&self, category: Option<&str>) -> Result<Vec<Item>, StoreError> {
        let rows = match category {
            Some(category) => {
                sqlx::query("SELECT code, data FROM items WHERE category = $1 ORDER BY position")
                    .bind(category)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT code, data FROM items ORDER BY position")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(|r| decode_row("items", r)).collect()
    }

    pub async fn item(&self, code: &str) -> Result<Option<Item>, StoreError> {
        let row = sqlx::query("SELECT code, data FROM items WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| decode_row("items", r)).transpose()
    }

    /// A page of guides in catalogue order.
    pub async fn guides(&self, offset: u64, limit: u64) -> Result<Page<Guide>, StoreError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guides")
            .fetch_one(&self.pool)
            .await?;
        let rows =
            sqlx::query("SELECT code, data FROM guides ORDER BY position LIMIT $1 OFFSET $2")
                .bind(clamp_i64(limit))
                .bind(clamp_i64(offset))
                .fetch_all(&self.pool)
                .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows.iter().map(decode_guide).collect::<Result<_, _>>()?,
        })
    }

    pub async fn guide(&self, code: &str) -> Result<Option<Guide>, StoreError> {
        let row = sqlx::query("SELECT code, data FROM guides WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_guide).transpose()
    }

    /// Guides that point at an item, for the item's page.
    pub async fn guides_for_item(&self, item: &str) -> Result<Vec<Guide>, StoreError> {
        // related_items is inside the JSON; the catalogue is small enough to filter here rather than
        // rely on either backend's JSON operators.
        let rows = sqlx::query("SELECT code, data FROM guides ORDER BY position")
            .fetch_all(&self.pool)
            .await?;
        let mut guides = Vec::new();
        for row in &rows {
            let guide = decode_guide(row)?;
            if guide.related_items.iter().any(|c| c.as_str() == item) {
                guides.push(guide);
            }
        }
        Ok(guides)
    }

    /// Every station with who manages it and what depends on it, for the administrator's list.
    pub async fn station_records(&self) -> Result<Vec<StationRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.code, s.data, s.managed_by, \
             (SELECT COUNT(*) FROM user_grants g WHERE g.role = 'station' AND g.scope = s.code) AS staff, \
             (SELECT COUNT(*) FROM cases c WHERE c.station = s.code) AS cases \
             FROM stations s ORDER BY s.position, s.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let managed_by: String = r.try_get("managed_by")?;
                Ok(StationRecord {
                    station: decode_row("stations", r)?,
                    edited_by_admin: managed_by == "admin",
                    staff: r.try_get("staff")?,
                    cases: r.try_get("cases")?,
                })
            })
            .collect()
    }

    pub async fn station(&self, code: &str) -> Result<Option<Station>, StoreError> {
        let row = sqlx::query("SELECT code, data FROM stations WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| decode_row("stations", r)).transpose()
    }

    /// Adds or replaces a station as an administrator's, with its audit entry, in one transaction.
    /// Returns whether the station is new. From now on catalogue imports leave it alone.
    pub async fn save_station(
        &self,
        station: &Station,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE stations SET country = $1, data = $2, managed_by = 'admin' WHERE code = $3",
        )
        .bind(&station.country)
        .bind(to_json(station))
        .bind(station.code.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            sqlx::query(
                "INSERT INTO stations (code, country, position, data, managed_by) \
                 SELECT $1, $2, COALESCE(MAX(position), -1) + 1, $3, 'admin' FROM stations",
            )
            .bind(station.code.as_str())
            .bind(&station.country)
            .bind(to_json(station))
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    StoreError::conflict(format!(
                        "station {} was added by someone else meanwhile",
                        station.code
                    ))
                }
                other => other.into(),
            })?;
        }
        crate::audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(changed == 0)
    }

    pub async fn stations(&self) -> Result<Vec<Station>, StoreError> {
        let rows = sqlx::query("SELECT code, data FROM stations ORDER BY position, code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| decode_row("stations", r)).collect()
    }
}

pub(crate) fn clamp_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising our own plain structs to a string cannot fail: no maps with non-string keys, no I/O.
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("catalogue value as JSON: {e}"))
}

/// A stored guide. One imported before guides had every language (its texts Chinese, its title
/// also in English) is read with the Chinese in each language and the English title, until the
/// catalogue is imported again: the new loader refuses such a guide, so the import replaces it.
fn decode_guide(row: &AnyRow) -> Result<Guide, StoreError> {
    #[derive(serde::Deserialize)]
    struct Before {
        code: qiaoyi_domain::catalog::GuideCode,
        topic: qiaoyi_domain::catalog::Topic,
        title: String,
        title_en: String,
        summary: String,
        who: String,
        materials: Vec<String>,
        fee: String,
        time_limit: String,
        #[serde(rename = "where")]
        where_: String,
        related_items: Vec<qiaoyi_domain::catalog::ItemCode>,
    }
    let current = decode_row::<Guide>("guides", row);
    let Err(error) = current else {
        return current;
    };
    let data: String = row.try_get("data")?;
    let Ok(before) = serde_json::from_str::<Before>(&data) else {
        return Err(error);
    };
    let chinese = |zh: String| Text {
        en: zh.clone(),
        it: zh.clone(),
        es: zh.clone(),
        zh,
    };
    Ok(Guide {
        code: before.code,
        topic: before.topic,
        title: Text {
            en: before.title_en,
            ..chinese(before.title)
        },
        summary: chinese(before.summary),
        who: chinese(before.who),
        materials: before.materials.into_iter().map(chinese).collect(),
        fee: chinese(before.fee),
        time_limit: chinese(before.time_limit),
        where_: chinese(before.where_),
        related_items: before.related_items,
        route: None,
    })
}

fn decode_row<T: DeserializeOwned>(table: &'static str, row: &AnyRow) -> Result<T, StoreError> {
    let code: String = row.try_get("code")?;
    let data: String = row.try_get("data")?;
    from_json(table, &code, &data)
}

fn from_json<T: DeserializeOwned>(
    table: &'static str,
    key: &str,
    data: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::CorruptRow {
        table,
        key: key.to_owned(),
        reason: e.to_string(),
    })
}
