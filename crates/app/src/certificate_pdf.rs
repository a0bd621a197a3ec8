//! The PDF of an electronic certificate: one A4 page with what the certificate shows, its status
//! when it is no longer valid, and a QR code of the verification address. Labels are bilingual
//! (Chinese, English) like the certificate's use abroad asks, whatever the reader's language.
//!
//! The font is a CJK OpenType font read from the configured file (Debian's fonts-noto-cjk by
//! default); only the glyphs a certificate uses are embedded, so a PDF stays small.

use qiaoyi_domain::failure::Reason;
use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use qiaoyi_domain::certificates::{Payload, Verdict};
use qiaoyi_domain::lang::Lang;

use crate::{App, AppError, Caller};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const LABEL_W: f32 = 150.0;

/// The certificate font, read once on first use. A missing file is not remembered, so installing
/// the font works without a restart.
#[derive(Clone, Default)]
pub(crate) struct PdfFont(Arc<tokio::sync::OnceCell<Font>>);

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.initialized() {
            "PdfFont(loaded)"
        } else {
            "PdfFont(not loaded)"
        })
    }
}

/// A PDF and the file name to offer it under.
#[derive(Debug)]
pub struct PdfFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl App {
    async fn certificate_font(&self) -> Result<Font, AppError> {
        let path = self.config.certificate_font.clone();
        let index = self.config.certificate_font_index;
        self.pdf_font
            .0
            .get_or_try_init(|| async move {
                let missing = |why: String| AppError::NoFont(format!("{}: {why}", path.display()));
                let data = tokio::fs::read(&path)
                    .await
                    .map_err(|e| missing(e.to_string()))?;
                Font::new(data.into(), index).ok_or_else(|| {
                    missing(format!("not an OpenType font with a face at index {index}"))
                })
            })
            .await
            .cloned()
    }

    /// The PDF of a certificate, for the readers of its case: its facts in Chinese and in `lang`
    /// (English for a Chinese reader, whom a foreign office may be reading over the shoulder of)
    /// where the certificate carries them.
    pub async fn certificate_pdf(
        &self,
        caller: &Caller,
        id: &str,
        lang: Lang,
    ) -> Result<PdfFile, AppError> {
        let certificate = self.certificate(caller, id).await?;
        let Some(payload) = certificate.verdict.payload().cloned() else {
            return Err(AppError::Invalid {
                field: "id",
                reason: Reason::Malformed,
                message: "this certificate's signature does not match its content, so it is not printed; ask the bureau".into(),
            });
        };
        let font = self.certificate_font().await?;
        let verify_url = format!("{}/verify/{}", self.public_url(), certificate.row.id);
        let qr_text = self
            .certificate_qr(&verify_url, &certificate.verdict)
            .await?;
        let verdict = certificate.verdict;
        let bytes = tokio::task::spawn_blocking(move || {
            render(&payload, lang, &verdict, &verify_url, &qr_text, font)
        })
        .await
        .map_err(|e| AppError::NoFont(format!("rendering stopped: {e}")))??;
        Ok(PdfFile {
            file_name: format!("certificate-{}.pdf", certificate.row.case_id),
            bytes,
        })
    }
}

/// How wide `text` is in ems: CJK and full-width characters take one em, others about half.
/// Conservative, so a wrapped line never runs past the margin.
fn ems(c: char) -> f32 {
    if is_wide(c) { 1.0 } else { 0.6 }
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Breaks `text` into lines of at most `width` ems: Chinese anywhere, other text at a space when
/// one is on the line, else anywhere (a long address).
pub(crate) fn wrap(text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.chars().filter(|c| !c.is_control()) {
        let w = ems(c);
        if used + w > width && !line.is_empty() {
            let keep = match line.rfind(' ') {
                Some(i) if i > 0 && !is_wide(c) && c != ' ' => line.split_off(i + 1),
                _ => String::new(),
            };
            lines.push(line.trim_end().to_owned());
            used = keep.chars().map(ems).sum();
            line = keep;
            if used + w > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            if c == ' ' {
                continue;
            }
        }
        line.push(c);
        used += w;
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// A verification address in lines of at most `width` ems, never breaking inside its last part
/// (the certificate's id, which a reader types from the paper): what does not fit on one line
/// breaks after the last `/`.
pub(crate) fn address_lines(url: &str, width: f32) -> Vec<String> {
    let fits = |text: &str| text.chars().map(ems).sum::<f32>() <= width;
    if fits(url) {
        return vec![url.to_owned()];
    }
    let (head, id) = url.rsplit_once('/').unwrap_or(("", url));
    let mut lines = wrap(&format!("{head}/"), width);
    lines.push(id.to_owned());
    lines
}

struct Pen<'a, 'b> {
    surface: &'a mut Surface<'b>,
    font: Font,
    y: f32,
}

impl Pen<'_, '_> {
    fn fill(&mut self, (r, g, b): (u8, u8, u8)) {
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(r, g, b).into(),
            ..Fill::default()
        }));
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.surface.draw_text(
            Point::from_xy(x, y),
            self.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// One labelled row; the value wraps within the right column.
    fn row(&mut self, label_zh: &str, label_en: &str, value: &str) {
        self.rows(label_zh, label_en, &[value]);
    }

    /// One labelled row of several values (a fact in Chinese, then in another language), each
    /// starting on its own line.
    fn rows(&mut self, label_zh: &str, label_en: &str, values: &[&str]) {
        const SIZE: f32 = 11.5;
        let width = (PAGE_W - 2.0 * MARGIN - LABEL_W) / SIZE;
        let lines: Vec<String> = values
            .iter()
            .filter(|v| !v.is_empty())
            .flat_map(|v| wrap(v, width))
            .collect();
        self.fill((90, 90, 90));
        self.text(MARGIN, self.y, 10.0, label_zh);
        self.text(MARGIN, self.y + 12.0, 8.0, label_en);
        self.fill((0, 0, 0));
        for (i, line) in lines.iter().enumerate() {
            self.text(MARGIN + LABEL_W, self.y + i as f32 * 16.0, SIZE, line);
        }
        self.y += (lines.len().max(2) as f32) * 16.0 + 8.0;
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let mut path = PathBuilder::new();
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            path.push_rect(r);
        }
        if let Some(p) = path.finish() {
            self.surface.draw_path(&p);
        }
    }
}

/// Lays out the page. Pure apart from the font: the same certificate gives the same drawing.
/// The certificate on one A4 page; its QR code carries `qr_text` (the verification address, with
/// the certificate as a JWS after `#jws=` for verifying offline), the printed address `verify_url`.
fn render(
    c: &Payload,
    lang: Lang,
    verdict: &Verdict,
    verify_url: &str,
    qr_text: &str,
    font: Font,
) -> Result<Vec<u8>, AppError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", c.title, c.case_number))
            .creator(c.issuer.clone())
            .language("zh-CN".into()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| AppError::NoFont("the page size is refused".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        font,
        y: MARGIN + 24.0,
    };

    pen.fill((0, 0, 0));
    pen.text(MARGIN, pen.y, 22.0, &c.issuer);
    pen.y += 30.0;
    pen.text(MARGIN, pen.y, 18.0, "电子证明  Electronic certificate");
    pen.y += 14.0;
    pen.fill((160, 30, 30));
    pen.rect(MARGIN, pen.y, PAGE_W - 2.0 * MARGIN, 1.5);
    pen.y += 30.0;

    let banner = match verdict {
        Verdict::Revoked { on, reason, .. } => Some(format!("已撤销 REVOKED {on} · {reason}")),
        Verdict::Expired { on, .. } => Some(format!("已过期 EXPIRED {on}")),
        _ => None,
    };
    if let Some(banner) = banner {
        pen.fill((160, 30, 30));
        for line in wrap(&banner, (PAGE_W - 2.0 * MARGIN) / 14.0) {
            pen.text(MARGIN, pen.y, 14.0, &line);
            pen.y += 20.0;
        }
        pen.y += 10.0;
    }

    let other = c.in_language(lang).or_else(|| c.in_language(Lang::En));
    let (title, attests, issuer) = other.map_or(("", "", ""), |t| {
        (t.title.as_str(), t.attests.as_str(), t.issuer.as_str())
    });
    pen.rows("证明事项", "Subject", &[&c.title, title]);
    let holder = if c.holder_name_latin.is_empty() {
        c.holder_name.clone()
    } else {
        format!("{}  {}", c.holder_name, c.holder_name_latin)
    };
    pen.row("持证人", "Holder", &holder);
    pen.row("出生日期", "Date of birth", &c.holder_birth_date);
    if !c.holder_id_masked.is_empty() {
        pen.row("身份证号", "Resident ID", &c.holder_id_masked);
    }
    pen.rows("证明内容", "Statement", &[&c.statement, attests]);
    pen.row("案件编号", "Case", &c.case_number);
    pen.row("出具日期", "Issued", &c.issued_on);
    pen.row("有效期至", "Valid until", &c.expires_on);
    pen.rows("出具机关", "Issuer", &[&c.issuer, issuer]);

    // The QR code of the verification address, bottom right, one rectangle per dark module.
    let code = qrcode::QrCode::new(qr_text.as_bytes())
        .map_err(|e| AppError::NoFont(format!("the verification address has no QR code: {e}")))?;
    let modules = code.width();
    // 60 mm: with the certificate's facts in four languages on board (about 1,850 characters,
    // some 160 modules across) a module is still about 0.37 mm on paper.
    let side = 170.0;
    let unit = side / modules as f32;
    let (qx, qy) = (PAGE_W - MARGIN - side, PAGE_H - MARGIN - side - 10.0);
    pen.fill((0, 0, 0));
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (col, row) = ((i % modules) as f32, (i / modules) as f32);
            pen.rect(qx + col * unit, qy + row * unit, unit + 0.05, unit + 0.05);
        }
    }
    let text_w = (PAGE_W - 3.0 * MARGIN - side) / 9.0;
    let mut y = qy + 10.0;
    pen.text(MARGIN, y, 11.0, "扫码或访问以下地址核验真伪");
    y += 15.0;
    pen.text(
        MARGIN,
        y,
        9.0,
        "Scan the code or open this address to verify:",
    );
    y += 16.0;
    for line in address_lines(verify_url, text_w) {
        pen.text(MARGIN, y, 9.0, &line);
        y += 12.0;
    }
    y += 8.0;
    pen.fill((90, 90, 90));
    for line in wrap(
        &format!(
            "证书编号 Certificate {} · 密钥 Key {} · Ed25519",
            c.id, c.key_id
        ),
        text_w,
    ) {
        pen.text(MARGIN, y, 8.0, &line);
        y += 11.0;
    }

    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| AppError::NoFont(format!("the PDF could not be written: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_wraps_anywhere_and_latin_at_spaces() {
        assert_eq!(wrap("一二三四五", 2.0), ["一二", "三四", "五"]);
        assert_eq!(wrap("the quick fox", 4.0), ["the", "quick", "fox"]);
        assert_eq!(wrap("", 5.0), [""]);
        // An address with no space breaks where the line is full.
        assert_eq!(wrap("abcdefghij", 3.1), ["abcde", "fghij"]);
    }

    proptest! {
        #[test]
        fn an_address_never_breaks_inside_the_id(host in "[a-z]{1,60}", width in 20.0f32..60.0) {
            let id = "0123456789abcdef0123456789abcdef";
            let url = format!("https://{host}.example/verify/{id}");
            let lines = address_lines(&url, width);
            prop_assert!(lines.iter().any(|l| l.ends_with(id) && (l == id || l == &url)));
            prop_assert_eq!(lines.concat(), url);
        }

        #[test]
        fn lines_fit_and_keep_every_visible_character(text in "[a-z 一-龥0-9:/.]{0,80}", width in 2.0f32..40.0) {
            let lines = wrap(&text, width);
            for line in &lines {
                let w: f32 = line.chars().map(ems).sum();
                prop_assert!(w <= width + 1e-3 || line.chars().count() == 1, "{line:?} is {w} wide");
            }
            let strip = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            prop_assert_eq!(strip(&lines.concat()), strip(&text));
        }
    }
}
