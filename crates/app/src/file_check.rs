//! The check every uploaded file passes, whatever it is for (case materials, consultations,
//! mandates, green-channel evidence): a PDF, JPEG or PNG recognised by its content, within the
//! configured size, its name made safe and its SHA-256 taken.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::cases::{MediaType, check_upload, safe_file_name};

use crate::{App, AppError};

/// An uploaded file that passed the checks every upload passes (cases, consultations, mandates).
pub(crate) struct CheckedFile {
    pub media_type: MediaType,
    /// The name to keep (`safe_file_name`).
    pub name: String,
    pub sha256: String,
}

impl App {
    /// A PDF, JPEG or PNG recognised by its content, within the configured size; refused on the
    /// field `file` otherwise.
    pub(crate) fn check_file(
        &self,
        file_name: &str,
        content: &[u8],
    ) -> Result<CheckedFile, AppError> {
        let media_type = check_upload(file_name, content, self.config.max_upload_mb)
            .map_err(|e| AppError::refused("file", e.reason(), e.to_string()))?;
        Ok(CheckedFile {
            media_type,
            name: safe_file_name(file_name),
            sha256: sha256_hex(content),
        })
    }
}
