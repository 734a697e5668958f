//! What the judge analytics pages share: the charts of a contest's report,
//! drawn by the server as SVG (each judge's bias and mean absolute
//! deviation as bars around zero, one chart per class of marks; severities
//! with their standard errors when estimated), the text of the threshold,
//! and the templates both the organisers' and the judges' pages include.
//! The figures are also in tables beside the charts (their text
//! alternative).

use crate::i18n::Lang;
use crate::web::State;
use crate::workflow::judges::{ContestReport, JudgeHistory};
use serde::Serialize;

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "analytics/report.html",
        include_str!("../../../templates/pages/analytics/report.html"),
    ),
    (
        "analytics/flags.html",
        include_str!("../../../templates/pages/analytics/flags.html"),
    ),
    (
        "analytics/history.html",
        include_str!("../../../templates/pages/analytics/history.html"),
    ),
];

/// The chart's geometry, in SVG user units: a label column, then the plot
/// with zero in its middle.
const WIDTH: f64 = 640.0;
const PLOT_LEFT: f64 = 200.0;
const HALF: f64 = 200.0;
const ZERO: f64 = PLOT_LEFT + HALF;
const ROW: u32 = 40;
const TOP: u32 = 8;

/// One judge's bars in a chart.
#[derive(Serialize)]
pub struct Bars {
    pub label: String,
    pub trainee: bool,
    pub flagged: bool,
    pub bias: String,
    pub mad: String,
    pub label_y: u32,
    pub bias_y: u32,
    pub mad_y: u32,
    /// Where the bias bar starts and how wide it is (it grows to the left
    /// of zero when negative).
    pub bias_x: String,
    pub bias_w: String,
    pub mad_w: String,
}

/// One class of marks: every judge's bias and mean absolute deviation.
#[derive(Serialize)]
pub struct ClassChart {
    pub class: &'static str,
    pub title: String,
    pub desc: String,
    pub height: u32,
    pub axis_y: u32,
    /// The figure at each end of the axis.
    pub axis: String,
    pub bars: Vec<Bars>,
}

/// A judge's severity with its standard error, drawn as a point and bar.
#[derive(Serialize)]
pub struct SeverityPoint {
    pub label: String,
    pub trainee: bool,
    pub logits: String,
    pub se: String,
    pub y: u32,
    pub x: String,
    pub low: String,
    pub high: String,
}

#[derive(Serialize)]
pub struct SeverityChart {
    pub height: u32,
    pub axis_y: u32,
    pub axis: String,
    pub points: Vec<SeverityPoint>,
}

fn f(x: f64) -> String {
    format!("{x:.1}")
}

/// The end of an axis that holds `m`: the next tenth below 1, else the
/// next whole number (at least 0.1).
fn axis_end(m: f64) -> f64 {
    if m <= 0.0 || !m.is_finite() {
        0.1
    } else if m < 1.0 {
        (m * 10.0).ceil() / 10.0
    } else {
        m.ceil()
    }
}

fn parse(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// The catalog key of a class of marks.
pub fn class_key(class: &str) -> &'static str {
    match class {
        "judgement" => "analytics_class_judgement",
        "score" => "analytics_class_score",
        _ => "analytics_class_measurement",
    }
}

/// One chart per class of marks that any judge of the report has.
pub fn class_charts(state: &State, lang: Lang, r: &ContestReport) -> Vec<ClassChart> {
    let trainee = state.catalog.get(lang, "trainee_badge");
    let mut out = Vec::new();
    for class in ["judgement", "score", "measurement"] {
        let rows: Vec<(
            &crate::workflow::judges::JudgeFigures,
            &crate::workflow::judges::ClassFigures,
        )> = r
            .judges
            .iter()
            .filter_map(|j| j.classes.iter().find(|c| c.class == class).map(|c| (j, c)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let end = axis_end(
            rows.iter()
                .map(|(_, c)| parse(&c.bias).abs().max(parse(&c.mad)))
                .fold(0.0, f64::max),
        );
        let bars = rows
            .iter()
            .enumerate()
            .map(|(k, (j, c))| {
                let y = TOP + u32::try_from(k).unwrap_or(0) * ROW;
                let bias = parse(&c.bias) / end * HALF;
                let mad = parse(&c.mad) / end * HALF;
                Bars {
                    label: if j.trainee {
                        format!("{} · {trainee}", j.name)
                    } else {
                        j.name.clone()
                    },
                    trainee: j.trainee,
                    flagged: j.flagged,
                    bias: c.bias.clone(),
                    mad: c.mad.clone(),
                    label_y: y + 22,
                    bias_y: y + 6,
                    mad_y: y + 20,
                    bias_x: f(if bias < 0.0 { ZERO + bias } else { ZERO }),
                    bias_w: f(bias.abs()),
                    mad_w: f(mad),
                }
            })
            .collect::<Vec<_>>();
        let class_name = state.catalog.get(lang, class_key(class));
        let n = u32::try_from(bars.len()).unwrap_or(0);
        out.push(ClassChart {
            class,
            title: state
                .catalog
                .fill(lang, "analytics_chart_title", &[("class", &class_name)]),
            desc: state.catalog.get(lang, "analytics_chart_desc"),
            height: TOP + n * ROW + 22,
            axis_y: TOP + n * ROW + 14,
            axis: format!("{end}"),
            bars,
        });
    }
    out
}

/// The severities of the report's judges, when estimated.
pub fn severity_chart(state: &State, lang: Lang, r: &ContestReport) -> Option<SeverityChart> {
    let trainee = state.catalog.get(lang, "trainee_badge");
    let rows: Vec<_> = r
        .judges
        .iter()
        .filter_map(|j| j.severity.as_ref().map(|s| (j, s)))
        .filter(|(_, s)| s.logits.is_finite())
        .collect();
    if rows.is_empty() {
        return None;
    }
    let end = axis_end(
        rows.iter()
            .map(|(_, s)| s.logits.abs() + s.se.filter(|e| e.is_finite()).unwrap_or(0.0))
            .fold(0.0, f64::max),
    );
    let x = |v: f64| ZERO + (v / end).clamp(-1.0, 1.0) * HALF;
    let points: Vec<SeverityPoint> = rows
        .iter()
        .enumerate()
        .map(|(k, (j, s))| {
            let se = s.se.filter(|e| e.is_finite()).unwrap_or(0.0);
            SeverityPoint {
                label: if j.trainee {
                    format!("{} · {trainee}", j.name)
                } else {
                    j.name.clone()
                },
                trainee: j.trainee,
                logits: format!("{:.2}", s.logits),
                se: s.se.map(|e| format!("{e:.2}")).unwrap_or_default(),
                y: TOP + u32::try_from(k).unwrap_or(0) * 28 + 14,
                x: f(x(s.logits)),
                low: f(x(s.logits - se)),
                high: f(x(s.logits + se)),
            }
        })
        .collect();
    let n = u32::try_from(points.len()).unwrap_or(0);
    Some(SeverityChart {
        height: TOP + n * 28 + 22,
        axis_y: TOP + n * 28 + 14,
        axis: format!("{end}"),
        points,
    })
}

/// Puts a report and everything its template shows into `ctx`.
pub fn report_context(ctx: &mut tera::Context, state: &State, lang: Lang, r: &ContestReport) {
    ctx.insert("report", r);
    ctx.insert("analytics_flags", &r.flags);
    ctx.insert("charts", &class_charts(state, lang, r));
    ctx.insert("severity", &severity_chart(state, lang, r));
    ctx.insert("threshold_text", &threshold_text(state, lang, r));
    ctx.insert(
        "class_names",
        &["judgement", "score", "measurement"]
            .iter()
            .map(|c| (c.to_string(), state.catalog.get(lang, class_key(c))))
            .collect::<std::collections::BTreeMap<_, _>>(),
    );
    ctx.insert("geometry", &Geometry::default());
}

/// The constants the templates draw with.
#[derive(Serialize)]
struct Geometry {
    width: f64,
    zero: f64,
    left: f64,
    right: f64,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry {
            width: WIDTH,
            zero: ZERO,
            left: PLOT_LEFT,
            right: PLOT_LEFT + 2.0 * HALF,
        }
    }
}

/// The threshold in words.
pub fn threshold_text(state: &State, lang: Lang, r: &ContestReport) -> String {
    state.catalog.fill(
        lang,
        "analytics_threshold_text",
        &[
            ("share", &r.threshold.mad_share.normalize().to_string()),
            ("marks", &r.threshold.min_marks.to_string()),
        ],
    )
}

/// Puts a judge's history into `ctx`, with each season's heading.
pub fn history_context(ctx: &mut tera::Context, state: &State, lang: Lang, h: &JudgeHistory) {
    ctx.insert("history", h);
    ctx.insert(
        "season_titles",
        &h.seasons
            .iter()
            .map(|s| {
                state
                    .catalog
                    .fill(lang, "analytics_season", &[("season", &s.season)])
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "class_names",
        &["judgement", "score", "measurement"]
            .iter()
            .map(|c| (c.to_string(), state.catalog.get(lang, class_key(c))))
            .collect::<std::collections::BTreeMap<_, _>>(),
    );
    ctx.insert(
        "role_names",
        &["judge", "chief_judge", "trainee"]
            .iter()
            .map(|r| {
                let key = match *r {
                    "judge" => "role_judge",
                    "chief_judge" => "role_chief_judge",
                    _ => "role_trainee",
                };
                (r.to_string(), state.catalog.get(lang, key))
            })
            .collect::<std::collections::BTreeMap<_, _>>(),
    );
}
