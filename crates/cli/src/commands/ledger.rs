//! `ledger check`: every fee entry replayed, the balances printed, the problems found reported.

use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::config::Config;

use super::open;
use crate::Failure;

pub(crate) async fn check_ledger(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("checking entries {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = app
        .ledger_check(|done, total| {
            bar.set_length(u64::try_from(total).unwrap_or(0));
            bar.set_position(u64::try_from(done).unwrap_or(0));
        })
        .await;
    bar.finish_and_clear();
    let report = report.map_err(|e| Failure::Other(e.into()))?;
    // Per-case receivables are many; the bureau's own accounts are what a person reads.
    let receivable: i128 = report
        .balances
        .iter()
        .filter(|(account, _)| account.starts_with("receivable:"))
        .map(|(_, balance)| balance)
        .sum();
    println!(
        "{} entries, {} postings, {} accounts",
        report.entries,
        report.postings,
        report.balances.len()
    );
    println!("  receivable (all cases)  {receivable:>14} fen");
    for (account, balance) in report
        .balances
        .iter()
        .filter(|(account, _)| !account.starts_with("receivable:"))
    {
        println!("  {account:<23} {balance:>14} fen");
    }
    if report.is_sound() {
        println!("ledger balanced: every entry's postings sum to zero and no case is overpaid");
        Ok(())
    } else {
        for problem in &report.problems {
            eprintln!("problem: {problem}");
        }
        Err(Failure::Other(anyhow::anyhow!(
            "the ledger does not balance: {} problem(s)",
            report.problems.len()
        )))
    }
}
