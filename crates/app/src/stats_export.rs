//! The dashboard's figures and the closed cases behind them as an Excel workbook (one sheet per
//! table, Chinese headers, as the bureau files its reports) or as CSV, one table per file.

use qiaoyi_domain::failure::Reason;
use std::collections::HashMap;

use qiaoyi_domain::cases::Channel;
use qiaoyi_domain::fees::money::format_yuan;
use qiaoyi_domain::hall::HallSums;
use qiaoyi_domain::stats::{ClosedCase, Outcome, Sums};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::stats::{Dashboard, StatsQuery};
use crate::{App, AppError, Caller};

/// A table that can be exported on its own as CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Summary,
    Months,
    Stations,
    Categories,
    Items,
    Durations,
    Halls,
    Cases,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table::Summary,
        Table::Months,
        Table::Stations,
        Table::Categories,
        Table::Items,
        Table::Durations,
        Table::Halls,
        Table::Cases,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Summary => "summary",
            Table::Months => "months",
            Table::Stations => "stations",
            Table::Categories => "categories",
            Table::Items => "items",
            Table::Durations => "durations",
            Table::Halls => "halls",
            Table::Cases => "cases",
        }
    }

    pub fn parse(s: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The sheet's name in the workbook.
    fn sheet(self) -> &'static str {
        match self {
            Table::Summary => "汇总",
            Table::Months => "按月份",
            Table::Stations => "按服务站",
            Table::Categories => "按类别",
            Table::Items => "按事项",
            Table::Durations => "办理时长",
            Table::Halls => "服务大厅",
            Table::Cases => "案件清单",
        }
    }
}

/// The halls' rows of one grouping (by hall, service or hour), each named by `named`.
fn hall_rows(group: &str, sums: &[HallSums], named: impl Fn(&str) -> String) -> Vec<Vec<Cell>> {
    sums.iter()
        .map(|s| {
            vec![
                Cell::Text(group.to_owned()),
                Cell::Text(named(&s.key)),
                Cell::Int(s.taken),
                Cell::Int(s.served),
                Cell::Int(s.no_shows),
                Cell::Int(s.given_back),
                Cell::Int(s.priority_calls),
                Cell::Decimal(s.mean_wait_minutes()),
                Cell::Decimal(s.mean_service_minutes()),
            ]
        })
        .collect()
}

/// One cell: text, a number (money as yuan with two decimals, averages with one) or a day or
/// month, each written as the kind of value a spreadsheet computes with.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Yuan(i64),
    Percent(Option<f64>),
    /// An average, shown with one decimal; empty when there is nothing to average.
    Decimal(Option<f64>),
    Day(jiff::civil::Date),
    /// A month, as its first day shown `yyyy-mm`.
    Month(jiff::civil::Date),
}

/// A month key (`2026-05`) as a month cell; text if it is not one.
fn month_cell(key: &str) -> Cell {
    format!("{key}-01")
        .parse()
        .map_or_else(|_| Cell::Text(key.to_owned()), Cell::Month)
}

/// The Chinese names of the codes the figures are keyed by.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub stations: HashMap<String, String>,
    pub categories: HashMap<String, String>,
    pub items: HashMap<String, String>,
}

const SUM_HEADERS: [&str; 10] = [
    "办结件数",
    "送达件数",
    "不予批准件数",
    "有时限件数",
    "按时办结件数",
    "按时率",
    "平均办理天数",
    "计入节省件数",
    "节省金额（元）",
    "节省工作日",
];

/// Calendar days per processing-time group, in Chinese.
pub fn bucket_labels() -> Vec<String> {
    qiaoyi_domain::stats::bucket_labels()
        .into_iter()
        .map(|range| format!("{range}天"))
        .collect()
}

/// The share of cases decided within their deadline, when any had one.
pub fn within_share(s: &Sums) -> Option<f64> {
    (s.with_deadline > 0).then(|| s.within_deadline as f64 / s.with_deadline as f64)
}

/// Average calendar days from submission to closing.
pub fn average_days(s: &Sums) -> Option<f64> {
    (s.handled > 0).then(|| s.processing_days as f64 / s.handled as f64)
}

fn sum_cells(s: &Sums) -> Vec<Cell> {
    vec![
        Cell::Int(s.handled),
        Cell::Int(s.delivered),
        Cell::Int(s.refused),
        Cell::Int(s.with_deadline),
        Cell::Int(s.within_deadline),
        Cell::Percent(within_share(s)),
        Cell::Decimal(average_days(s)),
        Cell::Int(s.saved_cases),
        Cell::Yuan(s.money_fen),
        Cell::Int(s.days_saved),
    ]
}

/// A table's header and rows.
pub fn table(
    which: Table,
    d: &Dashboard,
    cases: &[ClosedCase],
    names: &Names,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let name = |map: &HashMap<String, String>, key: &str| {
        if key.is_empty() {
            "网上或窗口".to_owned()
        } else {
            map.get(key).cloned().unwrap_or_else(|| key.to_owned())
        }
    };
    let grouped = |first: &[&str], rows: &[Sums], label: &dyn Fn(&str) -> Vec<Cell>| {
        let header = first
            .iter()
            .chain(SUM_HEADERS.iter())
            .map(|h| (*h).to_owned())
            .collect();
        let rows = rows
            .iter()
            .map(|s| {
                let mut row = label(&s.key);
                row.extend(sum_cells(s));
                row
            })
            .collect();
        (header, rows)
    };
    match which {
        Table::Summary => {
            let period = format!("{} 至 {}", d.period.from, d.period.to);
            let t = &d.total;
            let rows = vec![
                vec![Cell::Text("统计期间".into()), Cell::Text(period)],
                vec![
                    Cell::Text("服务站".into()),
                    Cell::Text(match &d.station {
                        Some(code) => name(&names.stations, code),
                        None => "全部".into(),
                    }),
                ],
                vec![
                    Cell::Text("类别".into()),
                    Cell::Text(match &d.category {
                        Some(code) => name(&names.categories, code),
                        None => "全部".into(),
                    }),
                ],
                vec![Cell::Text("办结件数".into()), Cell::Int(t.handled)],
                vec![
                    Cell::Text("咨询件数".into()),
                    d.consultations
                        .map(Cell::Int)
                        .unwrap_or(Cell::Text("—".into())),
                ],
                vec![Cell::Text("节省金额（元）".into()), Cell::Yuan(t.money_fen)],
                vec![Cell::Text("节省工作日".into()), Cell::Int(t.days_saved)],
                vec![Cell::Text("按时率".into()), Cell::Percent(within_share(t))],
                vec![
                    Cell::Text("平均办理天数".into()),
                    Cell::Decimal(average_days(t)),
                ],
            ];
            let mut rows = rows;
            if let Some(g) = &d.green {
                let (decision, completion) = App::green_averages(g);
                let one = Cell::Decimal;
                rows.extend([
                    vec![Cell::Text("绿色通道申请".into()), Cell::Int(g.requests)],
                    vec![Cell::Text("绿色通道批准".into()), Cell::Int(g.approved)],
                    vec![Cell::Text("绿色通道不予批准".into()), Cell::Int(g.refused)],
                    vec![Cell::Text("绿色通道平均审批小时".into()), one(decision)],
                    vec![
                        Cell::Text("绿色通道批准后平均办结天数".into()),
                        one(completion),
                    ],
                ]);
            }
            (vec!["项目".into(), "数值".into()], rows)
        }
        Table::Months => grouped(&["月份"], &d.months, &|k| vec![month_cell(k)]),
        Table::Stations => grouped(&["服务站代码", "服务站"], &d.stations, &|k| {
            vec![Cell::Text(k.into()), Cell::Text(name(&names.stations, k))]
        }),
        Table::Categories => grouped(&["类别代码", "类别"], &d.categories, &|k| {
            vec![Cell::Text(k.into()), Cell::Text(name(&names.categories, k))]
        }),
        Table::Items => grouped(&["事项代码", "事项"], &d.items, &|k| {
            vec![Cell::Text(k.into()), Cell::Text(name(&names.items, k))]
        }),
        Table::Durations => {
            let rows = bucket_labels()
                .into_iter()
                .zip(d.total.buckets)
                .map(|(label, n)| vec![Cell::Text(label), Cell::Int(n)])
                .collect();
            (vec!["办理天数".into(), "办结件数".into()], rows)
        }
        Table::Halls => {
            let header = [
                "分组",
                "名称",
                "取号",
                "办结",
                "未到",
                "退号",
                "优先叫号",
                "平均等候（分钟）",
                "平均办理（分钟）",
            ]
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
            let mut rows = hall_rows("服务站", &d.halls.by_station, |k| {
                name(&names.stations, k)
            });
            rows.extend(hall_rows("业务", &d.halls.by_service, |k| {
                name(&names.categories, k)
            }));
            rows.extend(hall_rows("时段", &d.halls.by_hour, |k| format!("{k}:00")));
            (header, rows)
        }
        Table::Cases => {
            let header = [
                "案件编号",
                "事项代码",
                "事项",
                "类别",
                "服务站",
                "渠道",
                "结果",
                "办结日期",
                "办理天数",
                "按时办结",
                "国家",
                "成本模型版本",
                "节省金额（元）",
                "节省工作日",
            ]
            .map(String::from)
            .to_vec();
            let rows = cases
                .iter()
                .map(|c| {
                    let o = &c.outcome;
                    vec![
                        Cell::Text(c.number.clone()),
                        Cell::Text(o.item_code.clone()),
                        Cell::Text(name(&names.items, &o.item_code)),
                        Cell::Text(name(&names.categories, &o.category)),
                        Cell::Text(name(&names.stations, &o.station)),
                        Cell::Text(
                            match c.channel {
                                Channel::Online => "网上",
                                Channel::Station => "服务站",
                                Channel::Window => "窗口",
                            }
                            .into(),
                        ),
                        Cell::Text(
                            if o.outcome == Outcome::Refused {
                                "不予批准"
                            } else {
                                "已送达"
                            }
                            .into(),
                        ),
                        Cell::Day(o.closed_on),
                        Cell::Int(o.processing_days),
                        Cell::Text(
                            match o.within_deadline {
                                Some(true) => "是",
                                Some(false) => "否",
                                None => "",
                            }
                            .into(),
                        ),
                        Cell::Text(o.country.clone()),
                        o.model_version
                            .map(Cell::Int)
                            .unwrap_or(Cell::Text(String::new())),
                        Cell::Yuan(o.money_fen),
                        Cell::Int(o.days_saved),
                    ]
                })
                .collect();
            (header, rows)
        }
    }
}

fn write_sheet(
    sheet: &mut Worksheet,
    header: &[String],
    rows: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let month = Format::new().set_num_format("yyyy-mm");
    let excel_date = |d: &jiff::civil::Date| {
        ExcelDateTime::from_ymd(
            u16::try_from(d.year()).unwrap_or(1900),
            u8::try_from(d.month()).unwrap_or(1),
            u8::try_from(d.day()).unwrap_or(1),
        )
    };
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, h, &bold)?;
        sheet.set_column_width(col as u16, 14)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, col, t)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Cell::Yuan(fen) => {
                    sheet.write_number_with_format(r, col, *fen as f64 / 100.0, &yuan)?;
                }
                Cell::Percent(Some(x)) => {
                    sheet.write_number_with_format(r, col, *x, &percent)?;
                }
                Cell::Percent(None) | Cell::Decimal(None) => {}
                Cell::Decimal(Some(x)) => {
                    sheet.write_number_with_format(r, col, *x, &decimal)?;
                }
                Cell::Day(d) => {
                    sheet.write_date_with_format(r, col, &excel_date(d)?, &day)?;
                }
                Cell::Month(d) => {
                    sheet.write_date_with_format(r, col, &excel_date(d)?, &month)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Every table as one workbook.
pub fn workbook(d: &Dashboard, cases: &[ClosedCase], names: &Names) -> Result<Vec<u8>, AppError> {
    let failed = |e: XlsxError| AppError::Invalid {
        field: "export",
        reason: Reason::Malformed,
        message: format!("the workbook could not be written: {e}"),
    };
    let mut book = Workbook::new();
    for which in Table::ALL {
        let (header, rows) = table(which, d, cases, names);
        let sheet = book.add_worksheet();
        sheet.set_name(which.sheet()).map_err(failed)?;
        write_sheet(sheet, &header, &rows).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// One table as CSV, with a byte-order mark so that spreadsheet programs read the Chinese right.
/// A text cell that a spreadsheet would take for a formula is prefixed with `'`.
pub fn csv(header: &[String], rows: &[Vec<Cell>]) -> String {
    fn field(text: &str) -> String {
        let text = if text.starts_with(['=', '+', '-', '@']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    }
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(header.iter().map(|h| field(h)).collect()));
    for row in rows {
        out.push_str(&line(
            row.iter()
                .map(|c| match c {
                    Cell::Text(t) => field(t),
                    Cell::Int(n) => n.to_string(),
                    Cell::Yuan(fen) => format_yuan(*fen).replace(',', ""),
                    Cell::Percent(Some(x)) => format!("{:.1}%", x * 100.0),
                    Cell::Percent(None) | Cell::Decimal(None) => String::new(),
                    Cell::Decimal(Some(x)) => format!("{x:.1}"),
                    Cell::Day(d) => d.to_string(),
                    Cell::Month(d) => d.strftime("%Y-%m").to_string(),
                })
                .collect(),
        ));
    }
    out
}

/// What an export is: the workbook, or one table as CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv(Table),
}

impl App {
    /// The Chinese names of stations, categories and items, for exports.
    pub async fn export_names(&self) -> Result<Names, AppError> {
        let mut names = Names::default();
        for s in self.stations().await? {
            names.stations.insert(s.code.to_string(), s.name.zh.clone());
        }
        for c in self.categories().await? {
            names
                .categories
                .insert(c.code.to_string(), c.name.zh.clone());
        }
        for i in self.items(None).await? {
            names.items.insert(i.code.to_string(), i.name.zh.clone());
        }
        Ok(names)
    }

    /// The period's figures as a file: its bytes and a file name. Audited.
    pub async fn export_stats(
        &self,
        caller: &Caller,
        query: &StatsQuery,
        format: ExportFormat,
    ) -> Result<(Vec<u8>, String), AppError> {
        self.authorize(
            caller,
            qiaoyi_domain::access::Action::ReadStatistics,
            &qiaoyi_domain::access::Resource::System,
        )
        .await?;
        self.export_file(caller, query, format).await
    }

    /// `export_stats` without a permission check, for the operator's command line; audited too.
    pub async fn export_file(
        &self,
        caller: &Caller,
        query: &StatsQuery,
        format: ExportFormat,
    ) -> Result<(Vec<u8>, String), AppError> {
        let dashboard = self.dashboard(query, caller.now).await?;
        let wants_cases = matches!(format, ExportFormat::Xlsx | ExportFormat::Csv(Table::Cases));
        let cases = if wants_cases {
            self.closed_list(query, caller.now).await?
        } else {
            Vec::new()
        };
        let names = self.export_names().await?;
        let (_, filter) = self.stats_filter(query, caller.now).await?;
        let stem = format!("qiaoyi-stats-{}-{}", filter.from, filter.to);
        let (bytes, name, what) = match format {
            ExportFormat::Xlsx => (
                workbook(&dashboard, &cases, &names)?,
                format!("{stem}.xlsx"),
                "xlsx".to_owned(),
            ),
            ExportFormat::Csv(which) => {
                let (header, rows) = table(which, &dashboard, &cases, &names);
                (
                    csv(&header, &rows).into_bytes(),
                    format!("{stem}-{}.csv", which.as_str()),
                    format!("csv:{}", which.as_str()),
                )
            }
        };
        self.audit_export(caller, &what, &filter).await?;
        Ok((bytes, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let header = vec!["a".to_owned(), "b".to_owned()];
        let rows = vec![vec![
            Cell::Text("=SUM(A1)".into()),
            Cell::Text("x,\"y\"".into()),
        ]];
        let text = csv(&header, &rows);
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=SUM(A1),\"x,\"\"y\"\"\"\r\n"), "{text}");
        let money = csv(
            &header,
            &[vec![Cell::Yuan(123_456_789), Cell::Percent(None)]],
        );
        assert!(money.contains("1234567.89,\r\n"), "{money}");
    }

    #[test]
    fn bucket_labels_follow_the_groups() {
        assert_eq!(
            bucket_labels(),
            vec!["≤1天", "2–3天", "4–7天", "8–15天", "16–30天", ">30天"]
        );
    }
}
