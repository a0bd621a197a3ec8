//! `qiaoyi check-ids`: identity numbers checked in bulk by the same rules as the forms (a
//! station's list to import, or another checker's vectors): one JSON line in, one verdict out.

use std::io::{BufRead, Write};

use anyhow::{Context, anyhow};
use qiaoyi_app::cases::beijing_today;
use qiaoyi_app::clock::Clock;
use qiaoyi_domain::identity::{Mrz, ResidentId};

use crate::Failure;

/// Reads `input` (a file, or standard input) line by line: a JSON string is a resident ID
/// number, a JSON array of strings a machine-readable zone's lines. Writes for each
/// `{"line":N,"kind":…,"valid":true}` or `…"valid":false,"part":…,"message":…}`, the part named
/// as the API names it. Birth dates are checked against `today` (default: today in Beijing).
pub(crate) fn check_ids(
    input: Option<&std::path::Path>,
    today: Option<&str>,
) -> Result<(), Failure> {
    let today = match today {
        Some(day) => day
            .parse()
            .with_context(|| format!("--today {day}: give a day as YYYY-MM-DD"))
            .map_err(Failure::BadInput)?,
        None => beijing_today(Clock::system().now_ms()),
    };
    let reader: Box<dyn BufRead> = match input {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))
                .map_err(Failure::BadInput)?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut out = std::io::stdout().lock();
    for (n, line) in reader.lines().enumerate() {
        let line = line.context("cannot read the input")?;
        if line.trim().is_empty() {
            continue;
        }
        let given: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("line {}: not JSON", n + 1))
            .map_err(Failure::BadInput)?;
        let (kind, verdict) = match &given {
            serde_json::Value::String(number) => (
                "resident_id",
                ResidentId::parse(number, today)
                    .map(|_| ())
                    .map_err(|e| (e.code(), e.advice().to_owned())),
            ),
            serde_json::Value::Array(lines) => {
                let lines: Option<Vec<&str>> = lines.iter().map(|l| l.as_str()).collect();
                let lines = lines
                    .ok_or_else(|| anyhow!("line {}: a zone is an array of strings", n + 1))
                    .map_err(Failure::BadInput)?;
                (
                    "mrz",
                    Mrz::parse(&lines, today)
                        .map(|_| ())
                        .map_err(|e| (e.code(), format!("{e}: {}", e.advice()))),
                )
            }
            _ => {
                return Err(Failure::BadInput(anyhow!(
                    "line {}: give a resident ID number as a JSON string or a zone as an array of its lines",
                    n + 1
                )));
            }
        };
        let answer = match verdict {
            Ok(()) => serde_json::json!({ "line": n + 1, "kind": kind, "valid": true }),
            Err((part, message)) => serde_json::json!({
                "line": n + 1, "kind": kind, "valid": false, "part": part, "message": message,
            }),
        };
        writeln!(out, "{answer}").context("cannot write the verdicts")?;
    }
    Ok(())
}
