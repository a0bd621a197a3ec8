//! A case's materials: a file added for one of the item's materials while the case is with its
//! filer (checked by [`App::check_file`]), and a file's bytes for whoever may read the case, the
//! read audited.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject};
use qiaoyi_domain::cases::{CaseFile, CaseState};
use qiaoyi_domain::failure::Reason;

use super::invalid;
use crate::accounts::random_hex;
use crate::{App, AppError, Caller};

/// A file sent for one of the item's materials (numbered from 0 in the item's order).
#[derive(Clone, Debug)]
pub struct Upload<'a> {
    pub material: usize,
    pub file_name: &'a str,
    pub content: &'a [u8],
}

/// An uploaded file's bytes, for a download.
#[derive(Clone, Debug)]
pub struct CaseFileContent {
    pub file: CaseFile,
    pub content: Vec<u8>,
}

impl App {
    /// Adds a file for one of the case's materials, while the case is with its filer.
    pub async fn upload_case_file(
        &self,
        caller: &Caller,
        id: &str,
        upload: &Upload<'_>,
    ) -> Result<CaseFile, AppError> {
        let case = self.load_case(id).await?;
        self.authorize(caller, Action::SubmitCase, &case.resource())
            .await
            .map_err(|e| match e {
                AppError::Forbidden(_) => AppError::NotFound("this case".into()),
                other => other,
            })?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let agent = self.agent_act(&case, &current.actor, caller.now).await?;
        if !matches!(case.state, CaseState::Draft | CaseState::Returned) {
            return Err(AppError::refused(
                "file",
                Reason::WrongState,
                "files can be added while the case is a draft or returned for materials",
            ));
        }
        let Upload {
            material,
            file_name,
            content,
        } = *upload;
        if material >= case.item.materials.len() {
            return Err(invalid("material", "choose one of the materials listed"));
        }
        let checked = self.check_file(file_name, content)?;
        let file = CaseFile {
            id: format!("f-{}", random_hex(12)),
            case_id: case.id.clone(),
            material: material as i64,
            file_name: checked.name,
            media_type: checked.media_type,
            size: content.len() as i64,
            sha256: checked.sha256,
            uploaded_by: current.actor.user_id.clone(),
            uploaded_at: caller.now,
        };
        let mut record = self.audit_record(
            Some(&current.actor),
            AuditEvent::CaseFileAdded,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        if let Some(m) = &agent {
            record.purpose = crate::mandates::acting_for(m);
        }
        let messages = match agent {
            Some(_) => {
                self.proxy_act_messages(&case, &current.actor.user_id, "upload")
                    .await?
            }
            None => Vec::new(),
        };
        self.store
            .add_case_file(&file, content, &record, &messages)
            .await?;
        Ok(file)
    }

    /// A file's bytes for someone who may read the case; the read is audited.
    pub async fn case_file(
        &self,
        caller: &Caller,
        id: &str,
        file_id: &str,
    ) -> Result<CaseFileContent, AppError> {
        let case = self.load_case(id).await?;
        self.authorize_case_read(caller, &case).await?;
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::ReadCaseFile,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("case {}", case.number);
        record.person = case.applicant_id.clone().unwrap_or_default();
        let (file, content) = self
            .store
            .read_case_file(&case.id, file_id, &record)
            .await?
            .ok_or_else(|| AppError::NotFound("this file".into()))?;
        Ok(CaseFileContent { file, content })
    }
}
