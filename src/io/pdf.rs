//! PDF documents: a typst template from `templates/documents/` filled with one
//! JSON file of data (`/data.json` inside the template's world) and typeset with
//! the fonts installed on the machine.
//!
//! typst runs as a library: templates, data and fonts are handed to it in
//! memory; it reads nothing else, fetches no packages and keeps no state
//! between documents but its memo cache, which is trimmed after each one.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The document templates, by name. `common` holds what the others share.
const TEMPLATES: [(&str, &str); 8] = [
    (
        "common",
        include_str!("../../templates/documents/common.typ"),
    ),
    (
        "marking-form",
        include_str!("../../templates/documents/marking-form.typ"),
    ),
    (
        "score-register",
        include_str!("../../templates/documents/score-register.typ"),
    ),
    (
        "result-sheet",
        include_str!("../../templates/documents/result-sheet.typ"),
    ),
    (
        "score-sheet",
        include_str!("../../templates/documents/score-sheet.typ"),
    ),
    (
        "certificates",
        include_str!("../../templates/documents/certificates.typ"),
    ),
    (
        "advancement-list",
        include_str!("../../templates/documents/advancement-list.typ"),
    ),
    (
        "draw-sheet",
        include_str!("../../templates/documents/draw-sheet.typ"),
    ),
];

/// Where fonts are looked for when `JIANGXIN_FONT_DIRS` (directories
/// separated by ':') is not set: Debian's font directory, where the packages
/// `fonts-wqy-zenhei` (Chinese), `fonts-liberation` and `fonts-dejavu-core`
/// put theirs.
pub const DEFAULT_FONT_DIRS: &str = "/usr/share/fonts";

/// The family every template needs for Chinese text.
pub const CJK_FAMILY: &str = "wenquanyi zen hei";

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no document template is called '{0}'")]
    UnknownTemplate(String),
    #[error("the Chinese font (WenQuanYi Zen Hei, Debian package fonts-wqy-zenhei) is not installed in {0}")]
    NoFont(String),
    #[error("the document template '{template}' failed: {message}")]
    Template { template: String, message: String },
    #[error("the document data cannot be written as JSON: {0}")]
    Data(String),
}

/// The fonts and the standard library, loaded once per process.
struct Kit {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static KIT: OnceLock<Result<Kit, String>> = OnceLock::new();

/// Compilations share typst's global memo cache; one at a time keeps its
/// trimming simple and the memory of a large document bounded.
static TYPESETTER: Mutex<()> = Mutex::new(());

fn font_dirs() -> Vec<PathBuf> {
    let dirs = std::env::var("JIANGXIN_FONT_DIRS").unwrap_or_else(|_| DEFAULT_FONT_DIRS.into());
    dirs.split(':')
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .collect()
}

fn font_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            font_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "ttc" | "otf" | "otc"
            )
        }) {
            out.push(path);
        }
    }
}

fn load_kit() -> Result<Kit, String> {
    let dirs = font_dirs();
    let mut files = Vec::new();
    for dir in &dirs {
        font_files(dir, &mut files);
    }
    let mut fonts = Vec::new();
    for file in files {
        let Ok(data) = std::fs::read(&file) else {
            continue;
        };
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    let book = FontBook::from_fonts(&fonts);
    let shown = dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    if book.select_family(CJK_FAMILY).next().is_none() {
        return Err(shown);
    }
    Ok(Kit {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(book),
        fonts,
    })
}

fn kit() -> Result<&'static Kit, PdfError> {
    KIT.get_or_init(load_kit)
        .as_ref()
        .map_err(|dirs| PdfError::NoFont(dirs.clone()))
}

/// Checks that documents can be made here: the Chinese font is installed.
pub fn check_fonts() -> Result<(), PdfError> {
    kit().map(|_| ())
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    VirtualPath::new(path)
        .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
        .map_err(|e| PdfError::UnknownTemplate(format!("{path}: {e}")))
}

/// One document being typeset: the templates, its data and today's date.
struct Job {
    kit: &'static Kit,
    main: FileId,
    data_id: FileId,
    data: Bytes,
    sources: Vec<(FileId, Source)>,
    today: chrono::NaiveDate,
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &self.kit.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.kit.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, s)| s.clone())
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        self.source(id)
            .map(|s| Bytes::from_string(s.text().to_string()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.kit.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        use chrono::Datelike;
        Datetime::from_ymd(
            self.today.year(),
            u8::try_from(self.today.month()).ok()?,
            u8::try_from(self.today.day()).ok()?,
        )
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(PathBuf::from(format!("{:?}", id.vpath())))
}

/// The names of the templates there are.
pub fn templates() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(n, _)| *n).filter(|n| *n != "common")
}

/// A typeset document.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Typesets the template `name` with `data` (serialised as `/data.json`) into
/// a PDF. `today` is the date a template may print as the day of printing.
pub fn render<T: serde::Serialize>(
    name: &str,
    data: &T,
    today: chrono::NaiveDate,
) -> Result<Rendered, PdfError> {
    if !TEMPLATES.iter().any(|(n, _)| *n == name) || name == "common" {
        return Err(PdfError::UnknownTemplate(name.to_string()));
    }
    let kit = kit()?;
    let data = serde_json::to_vec(data).map_err(|e| PdfError::Data(e.to_string()))?;
    let mut sources = Vec::with_capacity(TEMPLATES.len());
    for (n, text) in TEMPLATES {
        let id = file_id(&format!("/{n}.typ"))?;
        sources.push((id, Source::new(id, text.to_string())));
    }
    let job = Job {
        kit,
        main: file_id(&format!("/{name}.typ"))?,
        data_id: file_id("/data.json")?,
        data: Bytes::new(data),
        sources,
        today,
    };
    let failed = |diagnostics: &[SourceDiagnostic]| PdfError::Template {
        template: name.to_string(),
        message: diagnostics
            .iter()
            .map(|d| d.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    };
    let _one_at_a_time = TYPESETTER.lock().unwrap_or_else(|p| p.into_inner());
    let compiled = typst::compile::<typst_layout::PagedDocument>(&job).output;
    let pdf = compiled.map_err(|d| failed(&d)).and_then(|doc| {
        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(format!("jiangxin-{name}")),
            creator: typst::foundations::Smart::Custom(Some("jiangxin".into())),
            ..Default::default()
        };
        typst_pdf::pdf(&doc, &options)
            .map(|bytes| Rendered {
                bytes,
                pages: doc.pages().len(),
            })
            .map_err(|d| failed(&d))
    });
    typst::comemo::evict(0);
    pdf
}
