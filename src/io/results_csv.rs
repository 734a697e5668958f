//! Results files: tables written as CSV in the encoding a reader asks for,
//! the exports of a publication (ranking, awards, recommendations, score
//! sheets), and the entrants file of `jiangxin standings`.

use super::entries_csv::cell;
use crate::engine::model::{SkillLevel, Vocabulary};
use crate::engine::scoring::Outcome;
use crate::engine::standings::place_label;
use crate::workflow::results::{ResultsView, Sheet};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// How a CSV export is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputEncoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark, which Excel needs to read Chinese text.
    Utf8Bom,
    /// GBK, written as GB18030 (its superset, so that no character is lost).
    Gbk,
}

impl OutputEncoding {
    pub fn parse(text: &str) -> Result<OutputEncoding, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(OutputEncoding::Utf8),
            "utf-8-bom" | "utf8-bom" | "excel" => Ok(OutputEncoding::Utf8Bom),
            "gbk" | "gb18030" => Ok(OutputEncoding::Gbk),
            other => Err(format!(
                "unknown encoding `{other}` (expected utf-8, utf-8-bom or gbk)"
            )),
        }
    }

    /// The `charset` of the HTTP content type.
    pub fn charset(self) -> &'static str {
        match self {
            OutputEncoding::Utf8 | OutputEncoding::Utf8Bom => "utf-8",
            OutputEncoding::Gbk => "gb18030",
        }
    }
}

/// Writes a table as CSV. Cells a spreadsheet would take for a formula are
/// prefixed with `'`.
pub fn write_table(
    headers: &[&str],
    rows: &[Vec<String>],
    encoding: OutputEncoding,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers)?;
    for row in rows {
        w.write_record(row.iter().map(|c| cell(c).into_owned()))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(match encoding {
        OutputEncoding::Utf8 => bytes,
        OutputEncoding::Utf8Bom => {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            out.extend_from_slice(text.as_bytes());
            out
        }
        OutputEncoding::Gbk => encoding_rs::GB18030.encode(&text).0.into_owned(),
    })
}

/// A table to write: its header and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV ([`write_table`]).
    pub fn write(&self, encoding: OutputEncoding) -> Result<Vec<u8>, csv::Error> {
        write_table(self.headers, &self.rows, encoding)
    }
}

/// A publication's ranking: one row per standing, in place order.
pub fn results_table(view: &ResultsView) -> Table {
    let rows = view
        .standings()
        .map(|r| {
            let s = r.standing;
            let who = r.entrant;
            vec![
                r.group.unwrap_or_default().to_string(),
                place_label(s.place, s.shared),
                s.key.clone(),
                who.and_then(|w| w.team_name.clone()).unwrap_or_default(),
                r.members("、"),
                who.map(|w| w.organisation_code.clone()).unwrap_or_default(),
                who.map(|w| w.organisation_zh.clone()).unwrap_or_default(),
                s.total.to_string(),
                s.standardised.to_string(),
                s.awards
                    .iter()
                    .map(|a| a.name_zh.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            ]
        })
        .collect();
    Table {
        headers: &[
            "group",
            "place",
            "start_number",
            "team",
            "members",
            "organisation_code",
            "organisation",
            "total",
            "standardised",
            "awards",
        ],
        rows,
    }
}

/// Every award given in a publication, one row per award.
pub fn awards_table(view: &ResultsView) -> Table {
    let mut rows = Vec::new();
    for r in view.standings() {
        let s = r.standing;
        for a in &s.awards {
            rows.push(vec![
                a.class.clone(),
                a.code.clone(),
                a.name_zh.clone(),
                a.name_en.clone(),
                r.group.unwrap_or_default().to_string(),
                place_label(s.place, s.shared),
                s.key.clone(),
                r.members("、"),
                r.entrant
                    .map(|w| w.organisation_zh.clone())
                    .unwrap_or_default(),
            ]);
        }
    }
    Table {
        headers: &[
            "class",
            "award",
            "name_zh",
            "name_en",
            "group",
            "place",
            "start_number",
            "members",
            "organisation",
        ],
        rows,
    }
}

/// Titles and promotions recommended in a publication, one row per member.
pub fn recommendations_table(view: &ResultsView) -> Table {
    let level = |l: Option<SkillLevel>| l.map(|l| l.code().to_string()).unwrap_or_default();
    let mut rows = Vec::new();
    for r in view.standings() {
        let s = r.standing;
        let organisation = r
            .entrant
            .map(|w| w.organisation_zh.clone())
            .unwrap_or_default();
        for a in s.awards.iter().filter(|a| a.class == "title") {
            for m in r.entrant.map(|w| w.members.as_slice()).unwrap_or_default() {
                rows.push(vec![
                    "title".into(),
                    a.name_zh.clone(),
                    place_label(s.place, s.shared),
                    s.key.clone(),
                    m.clone(),
                    organisation.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        for p in &s.promotions {
            rows.push(vec![
                "promotion".into(),
                p.award.clone(),
                place_label(s.place, s.shared),
                s.key.clone(),
                p.member.clone(),
                organisation.clone(),
                level(p.from),
                level(p.to),
                p.note.clone().unwrap_or_default(),
            ]);
        }
    }
    Table {
        headers: &[
            "kind",
            "award",
            "place",
            "start_number",
            "member",
            "organisation",
            "level_from",
            "level_to",
            "note",
        ],
        rows,
    }
}

/// An entry's published score sheet: modules, criteria, aspects, total.
pub fn sheet_table(sheet: &Sheet) -> Table {
    let mut rows = Vec::new();
    for m in &sheet.modules {
        rows.push(vec![
            "module".into(),
            m.code.clone(),
            m.name_zh.clone(),
            m.raw.to_string(),
            m.contribution.to_string(),
        ]);
    }
    for (code, mark) in &sheet.criteria {
        rows.push(vec![
            "criterion".into(),
            code.clone(),
            String::new(),
            mark.to_string(),
            String::new(),
        ]);
    }
    for (code, outcome) in &sheet.aspects {
        let state = match outcome {
            Outcome::Unmarked => "unmarked",
            Outcome::Waiting { .. } => "waiting",
            Outcome::Marked { .. } => "marked",
        };
        rows.push(vec![
            "aspect".into(),
            code.clone(),
            state.into(),
            outcome.mark().map(|m| m.to_string()).unwrap_or_default(),
            String::new(),
        ]);
    }
    rows.push(vec![
        "total".into(),
        String::new(),
        String::new(),
        sheet.total.to_string(),
        String::new(),
    ]);
    Table {
        headers: &["level", "code", "name", "mark", "contribution"],
        rows,
    }
}

/// One member of an entry in the entrants file of `jiangxin standings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrantLine {
    pub line: usize,
    pub entry: String,
    pub name: String,
    pub organisation: String,
    pub group: String,
    pub level: Option<SkillLevel>,
    /// `time` and every other numeric column, by header.
    pub measures: BTreeMap<String, Decimal>,
}

const KNOWN: [&str; 5] = ["entry", "name", "organisation", "group", "level"];

/// Reads the entrants file (already decoded): `entry` and optionally
/// `name`, `organisation`, `group`, `level`, `time` and further numeric
/// columns, one row per member (a team has a row per member). Every error
/// names its line and column.
pub fn parse_entrants(text: &str) -> Result<Vec<EntrantLine>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let entry_col = headers
        .iter()
        .position(|h| h == "entry")
        .ok_or("line 1: the entrants file needs an `entry` column")?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut out = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(k + 2, |p| usize::try_from(p.line()).unwrap_or(k + 2));
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let entry = get(Some(entry_col));
        if entry.is_empty() {
            return Err(format!("line {line}, column entry: the entry is empty"));
        }
        let level = match get(col("level")).as_str() {
            "" => None,
            text => Some(
                SkillLevel::parse_any(text)
                    .map_err(|e| format!("line {line}, column level: {e}"))?,
            ),
        };
        let mut measures = BTreeMap::new();
        for (c, h) in headers.iter().enumerate() {
            if KNOWN.contains(&h.as_str()) {
                continue;
            }
            let v = record.get(c).unwrap_or("").trim();
            if v.is_empty() {
                continue;
            }
            let d = Decimal::from_str_exact(v)
                .map_err(|_| format!("line {line}, column {h}: `{v}` is not a decimal number"))?;
            measures.insert(h.clone(), d);
        }
        out.push(EntrantLine {
            line,
            entry,
            name: get(col("name")),
            organisation: get(col("organisation")),
            group: get(col("group")),
            level,
            measures,
        });
    }
    Ok(out)
}

/// The attribute columns of a header, `attr:NAME` (e.g. `attr:frontline`):
/// their positions and names. A name is not empty and has no `#`.
pub fn attribute_columns(headers: &[String]) -> Result<Vec<(usize, String)>, String> {
    let mut out = Vec::new();
    for (c, h) in headers.iter().enumerate() {
        let Some(name) = h.strip_prefix("attr:") else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains('#') {
            return Err(format!(
                "line 1, column {}: `{h}` is not an attribute column (attr:NAME, without #)",
                c + 1
            ));
        }
        if out.iter().any(|(_, n)| n == name) {
            return Err(format!("line 1: the attribute {name} is given twice"));
        }
        out.push((c, name.to_string()));
    }
    Ok(out)
}

/// A row's attributes from its attribute columns; an empty cell gives none.
fn attributes_of(
    columns: &[(usize, String)],
    record: &csv::StringRecord,
) -> BTreeMap<String, String> {
    columns
        .iter()
        .filter_map(|(c, name)| {
            let v = record.get(*c).unwrap_or("").trim();
            (!v.is_empty()).then(|| (name.clone(), v.to_string()))
        })
        .collect()
}

/// Reads the feeders' results for `jiangxin advance` (already decoded):
/// `contest`, `entry`, `place`, `total` and optionally `name`,
/// `organisation`, `region`, `standardised`, `ineligible` (the reason),
/// `declined` and `confirmed` (yes / no), and `competitor`, who it is
/// across the stages of a selection when start numbers differ, and
/// attribute columns `attr:NAME` for the category shares. Returns the results and the
/// entries already confirmed (as `contest/entry`). Every error names its
/// line and column.
pub fn parse_feeder_results(
    text: &str,
) -> Result<(Vec<crate::engine::advancement::FeederResult>, Vec<String>), String> {
    use crate::engine::advancement::FeederResult;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let attribute_cols = attribute_columns(&headers)?;
    for needed in ["contest", "entry", "place", "total"] {
        if col(needed).is_none() {
            return Err(format!(
                "line 1: the results file needs a `{needed}` column (contest,entry,place,total)"
            ));
        }
    }
    let mut out = Vec::new();
    let mut confirmed = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", k + 2))?;
        let line = record
            .position()
            .map_or(k + 2, |p| usize::try_from(p.line()).unwrap_or(k + 2));
        let get = |name: &str| {
            col(name)
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let required = |name: &str| {
            let v = get(name);
            if v.is_empty() {
                Err(format!("line {line}, column {name}: empty"))
            } else {
                Ok(v)
            }
        };
        let decimal = |name: &str, v: &str| {
            Decimal::from_str_exact(v)
                .map_err(|_| format!("line {line}, column {name}: `{v}` is not a decimal number"))
        };
        let yes = |name: &str| -> Result<bool, String> {
            match get(name).to_lowercase().as_str() {
                "" | "no" | "false" | "0" | "否" => Ok(false),
                "yes" | "true" | "1" | "是" => Ok(true),
                other => Err(format!(
                    "line {line}, column {name}: `{other}` is not yes or no"
                )),
            }
        };
        let place_text = required("place")?;
        let place = place_text
            .trim_end_matches('=')
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| {
                format!("line {line}, column place: `{place_text}` is not a place (1, 2, …)")
            })?;
        let total = decimal("total", &required("total")?)?;
        let standardised = match get("standardised").as_str() {
            "" => None,
            v => Some(decimal("standardised", v)?),
        };
        let r = FeederResult {
            contest: required("contest")?,
            key: required("entry")?,
            name: get("name"),
            organisation: get("organisation"),
            region: Some(get("region")).filter(|r| !r.is_empty()),
            place,
            total,
            standardised,
            ineligible: Some(get("ineligible")).filter(|r| !r.is_empty()),
            declined: yes("declined")?,
            identity: get("competitor"),
            attributes: attributes_of(&attribute_cols, &record),
        };
        if yes("confirmed")? {
            confirmed.push(format!("{}/{}", r.contest, r.key));
        }
        out.push(r);
    }
    Ok((out, confirmed))
}

/// One candidate of the ranking file of `jiangxin honours propose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingRow {
    pub line: usize,
    pub key: String,
    pub name: String,
    pub organisation: String,
    pub place: usize,
    pub score: Option<Decimal>,
    pub attributes: BTreeMap<String, String>,
}

/// Reads a ranking (already decoded): `key` (or `id`) and `place`, and
/// optionally `name`, `organisation`, `score` and attribute columns
/// `attr:NAME`. Every error names its line and column.
pub fn parse_ranking(text: &str) -> Result<Vec<RankingRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let key_col = col("key")
        .or_else(|| col("id"))
        .ok_or("line 1: the ranking needs a `key` (or `id`) column")?;
    let place_col = col("place").ok_or("line 1: the ranking needs a `place` column")?;
    let attribute_cols = attribute_columns(&headers)?;
    let mut out: Vec<RankingRow> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", k + 2))?;
        let line = record
            .position()
            .map_or(k + 2, |p| usize::try_from(p.line()).unwrap_or(k + 2));
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let key = get(Some(key_col));
        if key.is_empty() {
            return Err(format!("line {line}, column {}: empty", headers[key_col]));
        }
        if let Some(first) = seen.insert(key.clone(), line) {
            return Err(format!(
                "line {line}, column {}: {key} is also on line {first}",
                headers[key_col]
            ));
        }
        let place_text = get(Some(place_col));
        let place = place_text
            .trim_end_matches('=')
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| {
                format!("line {line}, column place: `{place_text}` is not a place (1, 2, …)")
            })?;
        let score = match get(col("score")).as_str() {
            "" => None,
            v => Some(Decimal::from_str_exact(v).map_err(|_| {
                format!("line {line}, column score: `{v}` is not a decimal number")
            })?),
        };
        out.push(RankingRow {
            line,
            key,
            name: get(col("name")),
            organisation: get(col("organisation")),
            place,
            score,
            attributes: attributes_of(&attribute_cols, &record),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_written_in_each_encoding() {
        let rows = vec![vec![
            "1".to_string(),
            "张伟".to_string(),
            "=SUM(A1)".to_string(),
        ]];
        let utf8 = write_table(&["place", "name", "note"], &rows, OutputEncoding::Utf8).unwrap();
        assert_eq!(
            String::from_utf8(utf8.clone()).unwrap(),
            "place,name,note\n1,张伟,'=SUM(A1)\n"
        );
        let bom = write_table(&["place", "name", "note"], &rows, OutputEncoding::Utf8Bom).unwrap();
        assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
        assert_eq!(&bom[3..], &utf8[..]);
        let gbk = write_table(&["place", "name", "note"], &rows, OutputEncoding::Gbk).unwrap();
        let (back, _, bad) = encoding_rs::GBK.decode(&gbk);
        assert!(!bad);
        assert_eq!(back.as_bytes(), &utf8[..]);
        assert!(gbk.windows(2).any(|w| w == [0xD5, 0xC5]), "张 in GBK");
        assert!(OutputEncoding::parse("latin-1").is_err());
    }

    #[test]
    fn entrants_files_name_the_line_and_column_of_an_error() {
        let ok = parse_entrants(
            "entry,name,level,time,speed\n001,张伟,技师,3600,\n002,李娜,level3,3500,12.5\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].level, Some(SkillLevel::Technician));
        assert_eq!(
            ok[1]
                .measures
                .get("speed")
                .map(|d| d.to_string())
                .as_deref(),
            Some("12.5")
        );
        assert!(!ok[0].measures.contains_key("speed"));
        let err = parse_entrants("entry,level\n001,大师\n").unwrap_err();
        assert!(err.starts_with("line 2, column level"), "{err}");
        let err = parse_entrants("entry,time\n001,fast\n").unwrap_err();
        assert!(err.starts_with("line 2, column time"), "{err}");
        assert!(parse_entrants("name\nx\n").unwrap_err().contains("`entry`"));
    }

    #[test]
    fn attribute_columns_give_the_shares_their_categories() {
        let (rows, _) = parse_feeder_results(
            "contest,entry,place,total,attr:frontline,ATTR:Job\nE1,001,1,95,true,fitter\nE1,002,2,90,,manager\n",
        )
        .unwrap();
        assert_eq!(
            rows[0].attributes.get("frontline").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            rows[0].attributes.get("job").map(String::as_str),
            Some("fitter")
        );
        assert!(!rows[1].attributes.contains_key("frontline"));
        let err = parse_feeder_results("contest,entry,place,total,attr:\n").unwrap_err();
        assert!(err.starts_with("line 1, column 5"), "{err}");
        let err = parse_feeder_results("contest,entry,place,total,attr:#x\n").unwrap_err();
        assert!(err.contains("without #"), "{err}");
        let err = parse_feeder_results("contest,entry,place,total,attr:a,attr:a\n").unwrap_err();
        assert!(err.contains("given twice"), "{err}");
    }

    #[test]
    fn a_ranking_is_read_with_its_attributes() {
        let rows = parse_ranking(
            "id,name,organisation,place,score,attr:frontline\nc01,张伟,HZ,1,95.5,true\nc02,李娜,NB,2,,false\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].key, "c01");
        assert_eq!(
            rows[0].score.map(|d| d.to_string()).as_deref(),
            Some("95.5")
        );
        assert_eq!(rows[1].score, None);
        assert_eq!(
            rows[1].attributes.get("frontline").map(String::as_str),
            Some("false")
        );
        let err = parse_ranking("key,place\nc01,1\nc01,2\n").unwrap_err();
        assert_eq!(err, "line 3, column key: c01 is also on line 2");
        let err = parse_ranking("key,place\nc01,first\n").unwrap_err();
        assert!(err.starts_with("line 2, column place"), "{err}");
        let err = parse_ranking("key,place,score\nc01,1,9x\n").unwrap_err();
        assert!(err.starts_with("line 2, column score"), "{err}");
        assert!(parse_ranking("name,place\n").unwrap_err().contains("`key`"));
        assert!(parse_ranking("key\n").unwrap_err().contains("`place`"));
    }

    #[test]
    fn feeder_results_name_the_line_and_column_of_an_error() {
        let (rows, confirmed) = parse_feeder_results(
            "contest,entry,name,organisation,place,total,declined,confirmed\nE1,001,张伟,X,1,95.5,no,yes\nE1,002,李娜,Y,2,90,yes,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[1].declined);
        assert_eq!(confirmed, ["E1/001"]);
        let err = parse_feeder_results("contest,entry,place,total\nE1,001,first,9\n").unwrap_err();
        assert!(err.starts_with("line 2, column place"), "{err}");
        let err = parse_feeder_results("contest,entry,place,total,declined\nE1,001,1,9,maybe\n")
            .unwrap_err();
        assert!(err.starts_with("line 2, column declined"), "{err}");
        assert!(parse_feeder_results("contest,entry,total\n")
            .unwrap_err()
            .contains("`place`"));
    }
}
