//! Consultations: opened with their first message, messages numbered in each conversation by one
//! conditional UPDATE (which also takes the row's lock on PostgreSQL), what each side has read,
//! transfers, closing and rating, the case a consultation led to, consultants' shifts and canned
//! answers. On PostgreSQL every new message is announced with `NOTIFY` in its own transaction, so
//! chat clients on every node hear of it once it is committed.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::cases::MediaType;
use qiaoyi_domain::consultations::{
    Attachment, Author, CannedAnswer, ChatMessage, Consultant, ConsultationRecord,
    ConsultationState,
};
use qiaoyi_domain::lang::Lang;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::catalog::Page;
use crate::outbox::enqueue;
use crate::wechat::{WechatTaken, note_taken};
use crate::{Backend, DatabaseUrl, NewMessage, Store, StoreError, audit, decode};

/// The PostgreSQL channel that carries `"{consultation id} {message number}"`.
pub const CHAT_CHANNEL: &str = "qiaoyi_consultations";

/// Whose inbox: one consultant's conversations and those nobody holds, or every open one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxScope<'a> {
    Mine(&'a str),
    AllOpen,
}

const COLUMNS: &str = "c.id, c.person_id, c.guest_email, c.guest_name, c.guest_key_sealed, c.lang, c.subject, \
     c.consultant_id, c.state, c.opened_at, c.first_response_due, c.resolve_due, c.first_response_at, \
     c.last_message_at, c.message_count, c.person_read, c.consultant_read, c.closed_at, c.rating, \
     c.rating_comment, c.case_id, c.wechat_openid, \
     COALESCE(p.display_name, c.guest_name) AS person_name, COALESCE(p.email, c.guest_email, '') AS person_email, \
     COALESCE(k.display_name, '') AS consultant_name, cs.number AS case_number";
const FROM: &str = "consultations c LEFT JOIN users p ON p.id = c.person_id \
     LEFT JOIN users k ON k.id = c.consultant_id LEFT JOIN cases cs ON cs.id = c.case_id";
/// The deadline that orders an inbox (`domain::consultations::due`).
const DUE: &str =
    "CASE WHEN c.first_response_at IS NULL THEN c.first_response_due ELSE c.resolve_due END";

fn consultation(r: &AnyRow) -> Result<ConsultationRecord, StoreError> {
    let id: String = r.try_get("id")?;
    let text = |column: &str| r.try_get::<String, _>(column);
    Ok(ConsultationRecord {
        person_id: r.try_get("person_id")?,
        guest_email: r.try_get("guest_email")?,
        guest_name: r.try_get("guest_name")?,
        guest_key_sealed: r.try_get("guest_key_sealed")?,
        lang: decode::named("consultations", &id, "lang", &text("lang")?, Lang::from_tag)?,
        subject: r.try_get("subject")?,
        consultant_id: r.try_get("consultant_id")?,
        state: decode::named(
            "consultations",
            &id,
            "state",
            &text("state")?,
            ConsultationState::parse,
        )?,
        opened_at: r.try_get("opened_at")?,
        first_response_due: r.try_get("first_response_due")?,
        resolve_due: r.try_get("resolve_due")?,
        first_response_at: r.try_get("first_response_at")?,
        last_message_at: r.try_get("last_message_at")?,
        message_count: r.try_get("message_count")?,
        person_read: r.try_get("person_read")?,
        consultant_read: r.try_get("consultant_read")?,
        closed_at: r.try_get("closed_at")?,
        rating: r.try_get("rating")?,
        rating_comment: r.try_get("rating_comment")?,
        case_id: r.try_get("case_id")?,
        wechat_openid: r.try_get("wechat_openid")?,
        person_name: r.try_get("person_name")?,
        person_email: r.try_get("person_email")?,
        consultant_name: r.try_get("consultant_name")?,
        case_number: r.try_get("case_number")?,
        id,
    })
}

fn canned(r: &AnyRow) -> Result<CannedAnswer, StoreError> {
    Ok(CannedAnswer {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        body_zh: r.try_get("body_zh")?,
        body_en: r.try_get("body_en")?,
        body_it: r.try_get("body_it")?,
        body_es: r.try_get("body_es")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A new message: who wrote it and from which side, and the file it carries, if any.
#[derive(Clone, Debug)]
pub struct NewChatMessage<'a> {
    pub author_id: Option<&'a str>,
    pub side: &'a str,
    pub body: &'a str,
    pub at: i64,
    pub file: Option<ChatFile<'a>>,
}

/// A file attached to a message, checked by the caller.
#[derive(Clone, Debug)]
pub struct ChatFile<'a> {
    pub name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

fn limit_offset(limit: u64, offset: u64) -> (i64, i64) {
    (
        i64::try_from(limit).unwrap_or(i64::MAX),
        i64::try_from(offset).unwrap_or(i64::MAX),
    )
}

impl Store {
    /// Writes a consultation with its first message, audit entry and any messages to send.
    pub async fn open_consultation(
        &self,
        c: &ConsultationRecord,
        first: &NewChatMessage<'_>,
        record: &AuditRecord,
        messages: &[NewMessage],
        wechat: Option<&WechatTaken<'_>>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        if let Some(taken) = wechat {
            note_taken(&mut tx, taken).await?;
        }
        sqlx::query(
            "INSERT INTO consultations (id, person_id, guest_email, guest_name, guest_key_sealed, lang, subject, \
             consultant_id, state, opened_at, first_response_due, resolve_due, last_message_at, wechat_openid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $9, $12)",
        )
        .bind(&c.id)
        .bind(&c.person_id)
        .bind(&c.guest_email)
        .bind(&c.guest_name)
        .bind(&c.guest_key_sealed)
        .bind(c.lang.tag())
        .bind(&c.subject)
        .bind(&c.consultant_id)
        .bind(c.opened_at)
        .bind(c.first_response_due)
        .bind(c.resolve_due)
        .bind(&c.wechat_openid)
        .execute(&mut *tx)
        .await?;
        append_message(&mut tx, self.backend, &c.id, first).await?;
        for message in messages {
            enqueue(&mut tx, message, c.opened_at).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a message to an open consultation and returns its number; `Conflict` when it was
    /// closed meanwhile, and nothing is written. A consultant's first message is the first
    /// response; the author's side has read everything up to it.
    pub async fn post_consultation_message(
        &self,
        id: &str,
        message: &NewChatMessage<'_>,
        messages: &[NewMessage],
        wechat: Option<&WechatTaken<'_>>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        if let Some(taken) = wechat {
            note_taken(&mut tx, taken).await?;
        }
        let seq = append_message(&mut tx, self.backend, id, message).await?;
        for m in messages {
            enqueue(&mut tx, m, message.at).await?;
        }
        tx.commit().await?;
        Ok(seq)
    }

    pub async fn consultation(&self, id: &str) -> Result<Option<ConsultationRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(consultation).transpose()
    }

    /// Messages after number `after`, oldest first, at most `limit`.
    pub async fn consultation_messages(
        &self,
        id: &str,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.consultation_id, m.seq, m.author_id, m.side, m.body, m.created_at, \
             m.file_name, m.media_type, m.file_size, \
             COALESCE(u.display_name, c.guest_name) AS author_name \
             FROM consultation_messages m JOIN consultations c ON c.id = m.consultation_id \
             LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.consultation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
        )
        .bind(id)
        .bind(after)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let consultation_id: String = r.try_get("consultation_id")?;
                let seq: i64 = r.try_get("seq")?;
                let key = format!("{consultation_id}#{seq}");
                let table = "consultation_messages";
                let side: String = r.try_get("side")?;
                Ok(ChatMessage {
                    side: decode::named(table, &key, "side", &side, Author::parse)?,
                    author_id: r.try_get("author_id")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                    author_name: r.try_get("author_name")?,
                    file: match (
                        r.try_get::<Option<String>, _>("file_name")?,
                        r.try_get::<Option<String>, _>("media_type")?,
                        r.try_get::<Option<i64>, _>("file_size")?,
                    ) {
                        (Some(file_name), Some(kind), Some(size)) => Some(Attachment {
                            file_name,
                            media_type: decode::named(
                                table,
                                &key,
                                "media_type",
                                &kind,
                                MediaType::parse,
                            )?,
                            size,
                        }),
                        _ => None,
                    },
                    consultation_id,
                    seq,
                })
            })
            .collect()
    }

    /// The file attached to message `seq`: its name, media type and bytes.
    pub async fn consultation_file(
        &self,
        id: &str,
        seq: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT m.file_name, m.media_type, b.content FROM consultation_messages m \
             JOIN case_file_blobs b ON b.sha256 = m.file_sha256 \
             WHERE m.consultation_id = $1 AND m.seq = $2",
        )
        .bind(id)
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                r.try_get("file_name")?,
                r.try_get("media_type")?,
                r.try_get("content")?,
            ))
        })
        .transpose()
    }

    /// Records that one side (`person` or `consultant`) has read up to message `seq`; never
    /// moves backwards.
    pub async fn mark_consultation_read(
        &self,
        id: &str,
        side: &str,
        seq: i64,
    ) -> Result<(), StoreError> {
        let column = if side == "consultant" {
            "consultant_read"
        } else {
            "person_read"
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE consultations SET {column} = $1 WHERE id = $2 AND {column} < $1 AND message_count >= $1"
        )))
        .bind(seq)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The consultations an account opened, newest first.
    pub async fn consultations_of(
        &self,
        person_id: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Page<ConsultationRecord>, StoreError> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM consultations WHERE person_id = $1")
                .bind(person_id)
                .fetch_one(&self.pool)
                .await?;
        let (limit, offset_i) = limit_offset(limit, offset);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE c.person_id = $1 \
             ORDER BY c.last_message_at DESC, c.id LIMIT $2 OFFSET $3"
        )))
        .bind(person_id)
        .bind(limit)
        .bind(offset_i)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows.iter().map(consultation).collect::<Result<_, _>>()?,
        })
    }

    /// Everything one person asked (her account, a guest's address or her WeChat OpenID), newest
    /// first.
    pub async fn consultation_history(
        &self,
        person_id: Option<&str>,
        guest_email: Option<&str>,
        wechat_openid: Option<&str>,
        limit: u64,
    ) -> Result<Vec<ConsultationRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE c.person_id = $1 OR (c.person_id IS NULL AND c.guest_email = $2) \
             OR (c.person_id IS NULL AND c.wechat_openid = $4) \
             ORDER BY c.opened_at DESC, c.id LIMIT $3"
        )))
        .bind(person_id.unwrap_or(""))
        .bind(guest_email.unwrap_or(""))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(wechat_openid.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(consultation).collect()
    }

    /// The open consultation someone writing from WeChat is in, the newest if several: her
    /// account's when `person` is the account her WeChat is linked to, else a guest's.
    pub async fn open_wechat_consultation(
        &self,
        openid: &str,
        person: Option<&str>,
    ) -> Result<Option<ConsultationRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE c.wechat_openid = $1 AND COALESCE(c.person_id, '') = $2 \
             AND c.state = 'open' ORDER BY c.opened_at DESC, c.id LIMIT 1"
        )))
        .bind(openid)
        .bind(person.unwrap_or_default())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(consultation).transpose()
    }

    /// Open consultations by urgency (the earliest deadline first).
    pub async fn consultation_inbox(
        &self,
        scope: InboxScope<'_>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<ConsultationRecord>, StoreError> {
        let (filter, who) = match scope {
            InboxScope::Mine(id) => (
                "c.state = 'open' AND (c.consultant_id = $1 OR c.consultant_id IS NULL)",
                id,
            ),
            InboxScope::AllOpen => ("c.state = 'open' AND $1 = $1", ""),
        };
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM consultations c WHERE {filter}"
        )))
        .bind(who)
        .fetch_one(&self.pool)
        .await?;
        let (limit, offset_i) = limit_offset(limit, offset);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE {filter} ORDER BY {DUE}, c.id LIMIT $2 OFFSET $3"
        )))
        .bind(who)
        .bind(limit)
        .bind(offset_i)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows.iter().map(consultation).collect::<Result<_, _>>()?,
        })
    }

    /// Hands an open consultation to `to` with a system message (whose number it returns), an audit
    /// entry and the messages telling her; `Conflict`
    /// when it was closed or handed on meanwhile (its holder is no longer `from`).
    pub async fn transfer_consultation(
        &self,
        id: &str,
        from: Option<&str>,
        to: &str,
        note: &NewChatMessage<'_>,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE consultations SET consultant_id = $1, consultant_read = 0 \
             WHERE id = $2 AND state = 'open' AND COALESCE(consultant_id, '') = $3",
        )
        .bind(to)
        .bind(id)
        .bind(from.unwrap_or(""))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this consultation was closed or handed on meanwhile; reload it".into(),
                ))
                .await;
        }
        let seq = append_message(&mut tx, self.backend, id, note).await?;
        for m in messages {
            enqueue(&mut tx, m, note.at).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Closes an open consultation with a closing note and returns the note's number; `Conflict`
    /// when it is already closed.
    pub async fn close_consultation(
        &self,
        id: &str,
        note: &NewChatMessage<'_>,
        record: &AuditRecord,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = append_message(&mut tx, self.backend, id, note).await?;
        sqlx::query("UPDATE consultations SET state = 'closed', closed_at = $1 WHERE id = $2")
            .bind(note.at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// The asker's rating of a closed consultation, given once; `Conflict` otherwise.
    pub async fn rate_consultation(
        &self,
        id: &str,
        rating: i64,
        comment: &str,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE consultations SET rating = $1, rating_comment = $2 \
             WHERE id = $3 AND state = 'closed' AND rating IS NULL",
        )
        .bind(rating)
        .bind(comment)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "a consultation is rated once, after it is closed".into(),
                ))
                .await;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Names the case a consultation led to, with a system message (whose number it returns) and an
    /// audit entry.
    pub async fn link_consultation_case(
        &self,
        id: &str,
        case_id: &str,
        note: &NewChatMessage<'_>,
        record: &AuditRecord,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE consultations SET case_id = $1 WHERE id = $2")
            .bind(case_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let seq = append_message(&mut tx, self.backend, id, note).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Every enabled consultant with her shift text and open consultations, by id.
    pub async fn consultants(&self) -> Result<Vec<Consultant>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, COALESCE(s.hours, '') AS hours, \
             (SELECT COUNT(*) FROM consultations c WHERE c.consultant_id = u.id AND c.state = 'open') AS open_count \
             FROM users u JOIN user_grants g ON g.user_id = u.id AND g.role = 'consultant' \
             LEFT JOIN consultant_shifts s ON s.consultant_id = u.id \
             WHERE u.disabled_at IS NULL ORDER BY u.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Consultant {
                    id: r.try_get("id")?,
                    email: r.try_get("email")?,
                    name: r.try_get("display_name")?,
                    hours: r.try_get("hours")?,
                    open: r.try_get("open_count")?,
                })
            })
            .collect()
    }

    /// Sets a consultant's shift text with its audit entry.
    pub async fn set_shifts(
        &self,
        consultant_id: &str,
        hours: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO consultant_shifts (consultant_id, hours, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (consultant_id) DO UPDATE SET hours = excluded.hours, updated_at = excluded.updated_at",
        )
        .bind(consultant_id)
        .bind(hours)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn canned_answers(&self) -> Result<Vec<CannedAnswer>, StoreError> {
        let rows = sqlx::query("SELECT * FROM canned_answers ORDER BY title, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(canned).collect()
    }

    pub async fn canned_answer(&self, id: &str) -> Result<Option<CannedAnswer>, StoreError> {
        let row = sqlx::query("SELECT * FROM canned_answers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(canned).transpose()
    }

    /// Adds or replaces a canned answer with its audit entry.
    pub async fn save_canned_answer(
        &self,
        a: &CannedAnswer,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO canned_answers (id, title, body_zh, body_en, body_it, body_es, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET title = excluded.title, \
             body_zh = excluded.body_zh, body_en = excluded.body_en, body_it = excluded.body_it, \
             body_es = excluded.body_es, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(&a.id)
        .bind(&a.title)
        .bind(&a.body_zh)
        .bind(&a.body_en)
        .bind(&a.body_it)
        .bind(&a.body_es)
        .bind(&a.updated_by)
        .bind(a.updated_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts listening for new messages on PostgreSQL; `None` on SQLite, where one process
    /// serves every client.
    pub async fn chat_listener(url: &DatabaseUrl) -> Result<Option<ChatListener>, StoreError> {
        if url.backend() != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(url.expose()).await?;
        listener.listen(CHAT_CHANNEL).await?;
        Ok(Some(ChatListener(listener)))
    }
}

/// Numbers and writes one message under the consultation's row lock; `Conflict` when the
/// consultation is not open.
async fn append_message(
    tx: &mut crate::WriteTx,
    backend: Backend,
    id: &str,
    m: &NewChatMessage<'_>,
) -> Result<i64, StoreError> {
    let read_column = match m.side {
        "consultant" => "consultant_read",
        "person" => "person_read",
        _ => "",
    };
    let read = if read_column.is_empty() {
        String::new()
    } else {
        format!(", {read_column} = message_count + 1")
    };
    let first_response = if m.side == "consultant" {
        ", first_response_at = COALESCE(first_response_at, $2)"
    } else {
        ""
    };
    let seq: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE consultations SET message_count = message_count + 1, last_message_at = $2{read}{first_response} \
         WHERE id = $1 AND state = 'open' RETURNING message_count"
    )))
    .bind(id)
    .bind(m.at)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(seq) = seq else {
        return Err(StoreError::conflict(
            "this consultation is closed; open a new one to ask again".into(),
        ));
    };
    if let Some(file) = &m.file {
        sqlx::query(crate::cases::INSERT_BLOB)
            .bind(file.sha256)
            .bind(file.content)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO consultation_messages (consultation_id, seq, author_id, side, body, created_at, \
         file_name, media_type, file_size, file_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(seq)
    .bind(m.author_id)
    .bind(m.side)
    .bind(m.body)
    .bind(m.at)
    .bind(m.file.as_ref().map(|f| f.name))
    .bind(m.file.as_ref().map(|f| f.media_type))
    .bind(m.file.as_ref().map(|f| f.content.len() as i64))
    .bind(m.file.as_ref().map(|f| f.sha256))
    .execute(&mut **tx)
    .await?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHAT_CHANNEL)
            .bind(format!("{id} {seq}"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(seq)
}

/// New messages announced by any node, as `(consultation id, message number)`.
pub struct ChatListener(sqlx::postgres::PgListener);

impl ChatListener {
    /// Waits for the next announcement. A lost connection is re-established by sqlx; what was
    /// announced meanwhile is not replayed, so clients also read from their last message number.
    pub async fn next(&mut self) -> Result<(String, i64), StoreError> {
        loop {
            let n = self.0.recv().await?;
            if let Some((id, seq)) = n.payload().split_once(' ')
                && let Ok(seq) = seq.parse()
            {
                return Ok((id.to_owned(), seq));
            }
        }
    }
}
