//! The judges' report of a contest as a table: one row per judge over all
//! their marks, then one per class of marks, then one per aspect.

use crate::io::results_csv::Table;
use crate::workflow::judges::ContestReport;

/// The columns, in order (described in docs/judges.md).
pub const HEADERS: &[&str] = &[
    "contest",
    "judge_id",
    "judge",
    "trainee",
    "level",
    "class",
    "aspect",
    "marks",
    "bias",
    "mad",
    "mad_share",
    "outside",
    "flagged",
    "severity_logits",
    "severity_se",
];

/// The report's rows; `level` is `judge`, `class` or `aspect`.
pub fn report_table(r: &ContestReport) -> Table {
    let mut rows = Vec::new();
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    for j in &r.judges {
        let head = |level: &str| -> Vec<String> {
            vec![
                r.code.clone(),
                j.user.to_string(),
                j.name.clone(),
                yes(j.trainee),
                level.to_string(),
            ]
        };
        let mut row = head("judge");
        row.extend([
            String::new(),
            String::new(),
            j.marks.to_string(),
            String::new(),
            String::new(),
            j.mad_share.clone().unwrap_or_default(),
            j.aspects
                .iter()
                .map(|a| a.outside)
                .sum::<usize>()
                .to_string(),
            yes(j.flagged),
            j.severity
                .as_ref()
                .map(|s| format!("{:.3}", s.logits))
                .unwrap_or_default(),
            j.severity
                .as_ref()
                .and_then(|s| s.se)
                .map(|se| format!("{se:.3}"))
                .unwrap_or_default(),
        ]);
        rows.push(row);
        for c in &j.classes {
            let mut row = head("class");
            row.extend([
                c.class.to_string(),
                String::new(),
                c.marks.to_string(),
                c.bias.clone(),
                c.mad.clone(),
                c.mad_share.clone(),
                c.outside.to_string(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            rows.push(row);
        }
        for a in &j.aspects {
            let mut row = head("aspect");
            row.extend([
                a.class.to_string(),
                a.aspect.clone(),
                a.marks.to_string(),
                a.bias.clone(),
                a.mad.clone(),
                a.mad_share.clone(),
                a.outside.to_string(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            rows.push(row);
        }
    }
    Table {
        headers: HEADERS,
        rows,
    }
}
