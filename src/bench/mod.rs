//! Performance scenarios run by `jiangxin bench …`. Each prints its figures beside a
//! baseline measured on the same machine in the same run, and the ratio.

pub mod import;
pub mod ladder;
pub mod marks_http;
pub mod pages;
pub mod rankings;
pub mod scoring;

use std::path::PathBuf;

/// A scratch directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> std::io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("jiangxin-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
