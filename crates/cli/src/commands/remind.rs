//! `remind`: the passport-expiry reminders due on a day, queued.

use qiaoyi_app::config::Config;

use super::open;
use crate::Failure;

pub(crate) async fn remind(config: Config, today: Option<&str>) -> Result<(), Failure> {
    let given = today
        .map(|text| {
            text.trim().parse::<jiff::civil::Date>().map_err(|e| {
                Failure::BadInput(anyhow::anyhow!(
                    "--today {text}: give a date as YYYY-MM-DD ({e})"
                ))
            })
        })
        .transpose()?;
    let app = open(config).await?;
    let now = app.now_ms();
    let today = given.unwrap_or_else(|| qiaoyi_app::cases::beijing_today(now));
    let run = app
        .queue_passport_reminders(today, now)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    println!(
        "{today}: {} passports expire within the reminder window; {} reminders queued",
        run.checked, run.queued
    );
    Ok(())
}
