//! Uploaded materials: the three kinds of file accepted, recognised by their content rather than by
//! the name or type the sender claims, and file names made safe to show and to offer as a download.

use crate::failure::Reason;

/// A file kind the bureau accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
    /// A voice message from WeChat (AMR-NB). Never taken as an upload: no file name maps to it.
    Amr,
}

impl MediaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Amr => "audio/amr",
        }
    }

    pub fn parse(s: &str) -> Option<MediaType> {
        [
            MediaType::Pdf,
            MediaType::Jpeg,
            MediaType::Png,
            MediaType::Amr,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// The kind a file name's extension claims.
    pub fn from_file_name(name: &str) -> Option<MediaType> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(MediaType::Pdf),
            "jpg" | "jpeg" => Some(MediaType::Jpeg),
            "png" => Some(MediaType::Png),
            _ => None,
        }
    }

    /// The kind the content actually is, from its first bytes.
    pub fn sniff(content: &[u8]) -> Option<MediaType> {
        if content.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if content.starts_with(b"#!AMR\n") {
            Some(MediaType::Amr)
        } else {
            None
        }
    }
}

/// A file uploaded for one of a case's materials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFile {
    pub id: String,
    pub case_id: String,
    /// Index of the item's material (from 0).
    pub material: i64,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty; choose the scan or photo again")]
    Empty,
    #[error(
        "the file is larger than {max_mb} MB; scan it at a lower resolution or as several pages"
    )]
    TooLarge { max_mb: i64 },
    #[error("only PDF, JPEG and PNG files are accepted")]
    UnknownKind,
    #[error("the file's content is not what its name says; save it again as PDF, JPEG or PNG")]
    ContentMismatch,
}

impl UploadError {
    pub fn reason(self) -> Reason {
        match self {
            UploadError::TooLarge { .. } => Reason::TooLarge,
            UploadError::Empty | UploadError::UnknownKind | UploadError::ContentMismatch => {
                Reason::Malformed
            }
        }
    }
}

/// Checks an upload and returns the kind its content proves it is.
pub fn check_upload(
    file_name: &str,
    content: &[u8],
    max_mb: i64,
) -> Result<MediaType, UploadError> {
    if content.is_empty() {
        return Err(UploadError::Empty);
    }
    if i64::try_from(content.len()).unwrap_or(i64::MAX) > max_mb.saturating_mul(1024 * 1024) {
        return Err(UploadError::TooLarge { max_mb });
    }
    let claimed = MediaType::from_file_name(file_name).ok_or(UploadError::UnknownKind)?;
    match MediaType::sniff(content) {
        Some(actual) if actual == claimed => Ok(actual),
        Some(_) => Err(UploadError::ContentMismatch),
        None => Err(UploadError::ContentMismatch),
    }
}

/// The longest file name kept, in characters.
const MAX_FILE_NAME: usize = 120;

/// The name to keep: the last path component, without control characters, quotes or characters
/// that reorder or hide text, at most [`MAX_FILE_NAME`] characters with its extension kept when
/// it is cut; `file` when nothing is left.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = crate::text::without_invisible(last)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let cleaned = if cleaned.chars().count() <= MAX_FILE_NAME {
        cleaned.to_owned()
    } else {
        // Cut the stem, not the extension: a scan called `…very long….pdf` stays a PDF.
        let extension = cleaned
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty() && e.chars().count() <= 10);
        match extension {
            Some(ext) => {
                let stem: String = cleaned
                    .chars()
                    .take(MAX_FILE_NAME - ext.chars().count() - 1)
                    .collect();
                format!("{}.{ext}", stem.trim_end())
            }
            None => cleaned.chars().take(MAX_FILE_NAME).collect(),
        }
    };
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A WeChat voice recording is recognised by its content and kept as such, but no upload is
    /// ever taken as one: no file name claims it.
    #[test]
    fn a_recording_is_known_by_its_content_and_never_an_upload() {
        let amr = b"#!AMR\n\x3c\x48";
        assert_eq!(MediaType::sniff(amr), Some(MediaType::Amr));
        assert_eq!(MediaType::parse("audio/amr"), Some(MediaType::Amr));
        assert_eq!(MediaType::from_file_name("voice.amr"), None);
        assert_eq!(
            check_upload("voice.amr", amr, 10),
            Err(UploadError::UnknownKind)
        );
        assert_eq!(
            check_upload("photo.jpg", amr, 10),
            Err(UploadError::ContentMismatch)
        );
    }

    #[test]
    fn content_decides_and_must_match_the_name() {
        assert_eq!(check_upload("a.pdf", b"%PDF-1.7\n", 10), Ok(MediaType::Pdf));
        assert_eq!(
            check_upload("a.JPG", &[0xFF, 0xD8, 0xFF, 0xE0], 10),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(
            check_upload("a.png", b"\x89PNG\r\n\x1a\n....", 10),
            Ok(MediaType::Png)
        );
        assert_eq!(
            check_upload("a.pdf", b"MZ\x90\x00", 10),
            Err(UploadError::ContentMismatch)
        );
        assert_eq!(
            check_upload("a.png", b"%PDF-1.7", 10),
            Err(UploadError::ContentMismatch)
        );
        assert_eq!(
            check_upload("a.exe", b"%PDF-1.7", 10),
            Err(UploadError::UnknownKind)
        );
        assert_eq!(check_upload("a.pdf", b"", 10), Err(UploadError::Empty));
        let big = [b"%PDF-".as_slice(), &vec![0u8; 1024 * 1024]].concat();
        assert_eq!(
            check_upload("a.pdf", &big, 1),
            Err(UploadError::TooLarge { max_mb: 1 })
        );
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_file_name("C:\\Users\\x\\护照.pdf"), "护照.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name("\u{202E}fdp.exe"), "fdp.exe");
        let long = format!("{}.pdf", "护照扫描".repeat(40));
        let kept = safe_file_name(&long);
        assert_eq!(kept.chars().count(), 120);
        assert!(kept.ends_with(".pdf"), "{kept}");
    }

    proptest! {
        #[test]
        fn safe_names_have_no_separators_or_controls(s in ".{0,200}") {
            let n = safe_file_name(&s);
            prop_assert!(!n.is_empty() && n.chars().count() <= 120);
            prop_assert!(!n.contains(['/', '\\', '"']) && !n.chars().any(char::is_control));
        }
    }
}
