//! Passport-expiry reminders and the choices behind them: which channels an account receives on,
//! whether it wants reminders for its own passport and for the family members it keeps on file,
//! and the unsubscribe link every reminder carries (it works without signing in).

use jiff::ToSpan;
use jiff::civil::Date;
use qiaoyi_domain::access::policy::Action;
use qiaoyi_domain::access::{AuditEvent, AuditSubject};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::{Notice, NotificationSettings, Phone, reminder_due};
use serde_json::{Map, Value, json};

use crate::accounts::constant_time_eq;
use crate::notify::{Recipient, messages_for};
use crate::{App, AppError, Caller};

/// What one reminder run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReminderRun {
    /// Passports whose expiry falls within the largest threshold.
    pub checked: usize,
    /// Messages queued now (those queued by an earlier run are not counted again).
    pub queued: usize,
}

/// The choices a person makes on their notifications page, as typed.
#[derive(Clone, Debug, Default)]
pub struct SettingsForm {
    pub email_enabled: bool,
    pub sms_enabled: bool,
    pub sms_number: String,
    pub own_reminders: bool,
    pub family_reminders: bool,
    /// The language messages are written in, as a tag (`zh-CN`, `en`, `it`, `es`); empty keeps it.
    pub language: String,
    /// Notices to her linked WeChat too, as template messages.
    pub wechat_enabled: bool,
}

/// What a person receives, and in which language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyNotifications {
    pub settings: NotificationSettings,
    pub language: Lang,
    /// Whether her notices go to her WeChat too; `None` when that cannot be offered (her WeChat
    /// is not linked, or this server sends no template messages).
    pub wechat: Option<bool>,
}

const UNSUBSCRIBE: &str = "unsubscribe reminders";

impl App {
    /// Queues every passport reminder due on `today`. Each (document, expiry date, threshold,
    /// recipient, channel) is queued at most once however often this runs, so running it hourly, on
    /// several nodes, or again after a crash sends nothing twice.
    pub async fn queue_passport_reminders(
        &self,
        today: Date,
        now: i64,
    ) -> Result<ReminderRun, AppError> {
        let thresholds = &self.config.reminder_months;
        let largest = thresholds.iter().copied().max().unwrap_or(0);
        let until = today
            .checked_add(i64::from(largest).months())
            .map_err(|e| AppError::Invalid {
                field: "today",
                reason: Reason::Malformed,
                message: format!("no date {largest} months after {today}: {e}"),
            })?
            .to_string();
        let link = |lang: &str| {
            format!(
                "{}/items/{}?lang={lang}",
                self.public_url(),
                self.config.renewal_item
            )
        };
        let mut run = ReminderRun::default();
        let mut after = (today.to_string(), String::new());
        loop {
            let batch = self
                .store
                .reminder_candidates((&after.0, &after.1), &until, 500)
                .await?;
            let Some(last) = batch.last() else {
                break;
            };
            after = (last.expires_on.clone(), last.document_id.clone());
            let mut messages = Vec::new();
            for candidate in &batch {
                run.checked += 1;
                let Ok(expires_on) = candidate.expires_on.parse::<Date>() else {
                    tracing::warn!(document = %candidate.document_id, "a passport's expiry date does not read; no reminder");
                    continue;
                };
                let Some(months) = reminder_due(expires_on, today, thresholds) else {
                    continue;
                };
                let wanted = if candidate.relation == "self" {
                    candidate.settings.own_reminders
                } else {
                    candidate.settings.family_reminders
                };
                if !wanted {
                    continue;
                }
                let params: Map<String, Value> = [
                    ("name", json!(candidate.person_name)),
                    ("date", json!(candidate.expires_on)),
                    ("months", json!(months)),
                    ("link", json!(link(&candidate.language))),
                    (
                        "unsubscribe",
                        json!(self.unsubscribe_link(&candidate.user_id, &candidate.language)),
                    ),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
                let dedupe = format!(
                    "passport:{}:{}:{months}:{}",
                    candidate.document_id, candidate.expires_on, candidate.user_id
                );
                messages.extend(messages_for(
                    &Recipient {
                        user_id: &candidate.user_id,
                        email: &candidate.email,
                        language: &candidate.language,
                        settings: &candidate.settings,
                        wechat: self
                            .wechat_notices_available()
                            .then_some(candidate.wechat.as_deref())
                            .flatten(),
                    },
                    Notice::PassportExpiring,
                    &params,
                    Some(&dedupe),
                ));
            }
            run.queued += self.store.enqueue_messages(&messages, now).await?;
        }
        Ok(run)
    }

    /// Whether text messages can be sent: a gateway is configured.
    pub fn sms_available(&self) -> bool {
        self.config.sms_webhook_url.is_some()
    }

    /// The address people reach the server at, without a trailing slash.
    pub fn public_url(&self) -> &str {
        self.config.public_url.trim_end_matches('/')
    }

    /// The link that stops passport reminders for `user_id`, signed so it cannot be made for
    /// someone else.
    /// `lang` is the tag of the page's language: that of the messages.
    pub fn unsubscribe_link(&self, user_id: &str, lang: &str) -> String {
        format!(
            "{}/unsubscribe/{}?lang={lang}",
            self.public_url(),
            self.unsubscribe_token(user_id)
        )
    }

    fn unsubscribe_token(&self, user_id: &str) -> String {
        let mac = self.vault.blind_index(UNSUBSCRIBE, user_id);
        format!("{user_id}.{}", &mac[..32])
    }

    /// The account an unsubscribe token was made for; None when the token is not genuine.
    fn unsubscribe_account(&self, token: &str) -> Option<String> {
        let (user_id, _) = token.split_once('.')?;
        let expected = self.unsubscribe_token(user_id);
        constant_time_eq(expected.as_bytes(), token.as_bytes()).then(|| user_id.to_owned())
    }

    /// The address an unsubscribe token stops reminders for, to show before the person confirms.
    pub async fn unsubscribe_address(&self, token: &str) -> Result<String, AppError> {
        let user_id = self
            .unsubscribe_account(token)
            .ok_or_else(|| AppError::NotFound("this unsubscribe link".into()))?;
        let user = self
            .store
            .user_by_id(&user_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this unsubscribe link".into()))?;
        Ok(user.email)
    }

    /// Stops passport reminders (own and family) for the account the token names; returns its
    /// address.
    pub async fn unsubscribe(&self, caller: &Caller, token: &str) -> Result<String, AppError> {
        let email = self.unsubscribe_address(token).await?;
        let user_id = self
            .unsubscribe_account(token)
            .ok_or_else(|| AppError::NotFound("this unsubscribe link".into()))?;
        let mut settings = self.store.notification_settings(&user_id).await?;
        settings.own_reminders = false;
        settings.family_reminders = false;
        let record = self.audit_record(
            None,
            AuditEvent::RemindersUnsubscribed,
            (AuditSubject::Account, &user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .save_notification_settings(&settings, None, None, caller.now, &record)
            .await?;
        Ok(email)
    }

    /// The signed-in person's notification choices.
    pub async fn my_notification_settings(
        &self,
        caller: &Caller,
    ) -> Result<MyNotifications, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let user = self
            .store
            .user_by_id(me)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(MyNotifications {
            settings: self.store.notification_settings(me).await?,
            language: user.language,
            wechat: self.wechat_notices_of(me).await?,
        })
    }

    /// Saves the signed-in person's choices. A mobile number must be given in full with its
    /// country code; SMS without a number is refused, and so is choosing no channel at all.
    pub async fn save_my_notification_settings(
        &self,
        caller: &Caller,
        form: &SettingsForm,
    ) -> Result<MyNotifications, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let language = match form.language.trim() {
            "" => None,
            tag => Some(Lang::from_tag(tag).ok_or_else(|| AppError::Invalid {
                field: "language",
                reason: Reason::Malformed,
                message: "choose zh-CN, en, it or es".into(),
            })?),
        };
        let number = form.sms_number.trim();
        let sms_number = if number.is_empty() {
            None
        } else {
            Some(
                Phone::parse(number)
                    .map_err(|message| AppError::Invalid {
                        field: "sms_number",
                        reason: Reason::Malformed,
                        message: message.into(),
                    })?
                    .as_str()
                    .to_owned(),
            )
        };
        if form.sms_enabled && !self.sms_available() {
            return Err(AppError::Invalid {
                field: "sms_enabled",
                reason: Reason::Malformed,
                message: "text messages are not offered here; choose e-mail".into(),
            });
        }
        if form.sms_enabled && sms_number.is_none() {
            return Err(AppError::Invalid {
                field: "sms_number",
                reason: Reason::Malformed,
                message: "give the mobile number text messages should go to".into(),
            });
        }
        let wechat_offered = self.wechat_notices_of(me).await?.is_some();
        if form.wechat_enabled && !wechat_offered {
            return Err(AppError::Invalid {
                field: "wechat_enabled",
                reason: Reason::Malformed,
                message: "link your WeChat on My account › WeChat first; this server must also send template messages".into(),
            });
        }
        if !form.email_enabled && !form.sms_enabled && !form.wechat_enabled {
            return Err(AppError::Invalid {
                field: "email_enabled",
                reason: Reason::Malformed,
                message: "choose at least one way to reach you: e-mail, text message or WeChat"
                    .into(),
            });
        }
        let settings = NotificationSettings {
            user_id: me.to_owned(),
            email_enabled: form.email_enabled,
            sms_number,
            sms_enabled: form.sms_enabled,
            own_reminders: form.own_reminders,
            family_reminders: form.family_reminders,
        };
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::NotificationSettingsChanged,
            (AuditSubject::Account, me),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .save_notification_settings(
                &settings,
                language,
                wechat_offered.then_some(form.wechat_enabled),
                caller.now,
                &record,
            )
            .await?;
        self.my_notification_settings(caller).await
    }
}
