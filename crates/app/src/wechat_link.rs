//! Linking a person's WeChat to her account. She writes "绑定" to the bureau's Official Account
//! and is sent a one-time code there (eight digits, alive ten minutes, kept only as a hash); signed
//! in, she types it on her account's WeChat page or gives it to the API, which proves the WeChat is
//! hers. From then on what she writes in WeChat goes to her account's consultations, and answers
//! come back there. She unlinks from the same page. Both are audited; guessing codes is limited
//! per account by the web layer, and one guess in 10⁸ per live code is all a try gets.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::wechat::{LINK_CODE_MS, link_code, link_code_digits};
use qiaoyi_store::{WechatLinkRow, WechatLinking, WechatTaken};

use crate::{App, AppError, Caller};

/// The signed-in person's WeChat: whether this server has an Official Account, and her link.
#[derive(Clone, Debug)]
pub struct MyWechat {
    pub available: bool,
    pub link: Option<WechatLinkRow>,
}

/// A code's hash: what is kept, and what a typed code is looked up by.
fn code_hash(digits: &str) -> String {
    sha256_hex(format!("wechat-link:{digits}").as_bytes())
}

impl App {
    /// Whether this server has a WeChat Official Account configured.
    pub fn wechat_available(&self) -> bool {
        self.wechat.is_some()
    }

    /// Whether notices can go by WeChat: an account that sends template messages.
    pub fn wechat_notices_available(&self) -> bool {
        self.wechat.is_some() && self.config.wechat_template_id.is_some()
    }

    /// Whether `user`'s notices go to her WeChat too; `None` when that cannot be offered (not
    /// linked, or no template messages here).
    pub(crate) async fn wechat_notices_of(&self, user: &str) -> Result<Option<bool>, AppError> {
        if !self.wechat_notices_available() {
            return Ok(None);
        }
        Ok(self
            .store
            .wechat_link_of_user(user)
            .await?
            .map(|link| link.notices))
    }

    /// The signed-in person's WeChat link.
    pub async fn my_wechat(&self, caller: &Caller) -> Result<MyWechat, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        Ok(MyWechat {
            available: self.wechat_available(),
            link: self.store.wechat_link_of_user(me).await?,
        })
    }

    /// Links the WeChat that was sent `typed` to the signed-in person's account.
    pub async fn link_my_wechat(
        &self,
        caller: &Caller,
        typed: &str,
    ) -> Result<WechatLinking, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        if !self.wechat_available() {
            return Err(AppError::NotFound("a WeChat account on this server".into()));
        }
        let digits = link_code_digits(typed).ok_or_else(|| {
            AppError::malformed(
                "code",
                "enter the eight digits the Official Account sent you in WeChat",
            )
        })?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::WechatLinked,
            (AuditSubject::Account, me),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .link_wechat(me, &code_hash(&digits), caller.now, &record)
            .await?
            .ok_or_else(|| {
                AppError::refused(
                    "code",
                    Reason::Mismatch,
                    "this code was not sent or has expired: write 绑定 to the Official Account for a new one",
                )
            })
    }

    /// Unlinks the signed-in person's WeChat.
    pub async fn unlink_my_wechat(&self, caller: &Caller) -> Result<(), AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::WechatUnlinked,
            (AuditSubject::Account, me),
            "ok",
            &caller.client,
            caller.now,
        );
        if self.store.unlink_wechat(me, &record).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("a WeChat linked to your account".into()))
        }
    }

    /// A new code for `openid`, kept with the callback that asked for it; the reply that sends it.
    pub(crate) async fn send_link_code(
        &self,
        openid: &str,
        taken: &WechatTaken<'_>,
    ) -> Result<String, AppError> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random)
            .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
        let code = link_code(u64::from_le_bytes(random));
        self.store
            .keep_wechat_link_code(openid, &code_hash(&code), taken.now + LINK_CODE_MS, taken)
            .await?;
        Ok(format!(
            "您的绑定码：{} {}\n请在 10 分钟内登录侨驿，在“我的账户 › 微信”页输入。绑定后，您在这里的咨询会进入您的账户。如非本人操作，请忽略。",
            &code[..4],
            &code[4..]
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_kept_as_its_hash_the_same_however_typed() {
        let typed = link_code_digits("1234 5678").expect("eight digits");
        assert_eq!(code_hash(&typed), code_hash("12345678"));
        assert_ne!(code_hash("12345678"), code_hash("12345679"));
        assert!(!code_hash("12345678").contains("12345678"));
    }
}
