//! QR codes: the judges' sign-in cards draw one inline in a page, the
//! certificates place one in a PDF.

use crate::error::{AppError, AppResult};
use serde::Serialize;

/// A QR code as SVG path data on a grid of `size` modules (quiet zone
/// included), for the template to draw.
#[derive(Serialize, Debug)]
pub struct Qr {
    pub size: usize,
    pub path: String,
}

/// Encodes `text` as a QR code with a four-module quiet zone.
pub fn qr(text: &str) -> AppResult<Qr> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(format!("cannot draw the QR code: {e}")))?;
    let width = code.width();
    let quiet = 4;
    let mut path = String::new();
    for (k, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = (k % width + quiet, k / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Ok(Qr {
        size: width + 2 * quiet,
        path,
    })
}

/// The QR code of `text` as a whole SVG image, black on white, for a PDF
/// template to place.
pub fn svg(text: &str) -> AppResult<String> {
    let q = qr(text)?;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{d}\"/></svg>",
        n = q.size,
        d = q.path
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_has_finder_patterns_and_a_quiet_zone() {
        let q = qr("http://127.0.0.1:8080/signin/link/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
            .unwrap();
        // Version 4 or more: at least 33 modules, plus 8 of quiet zone.
        assert!(q.size >= 41, "{}", q.size);
        // The top-left finder pattern starts right after the quiet zone.
        assert!(q.path.starts_with("M4 4h1v1h-1z"), "{}", &q.path[..40]);
        assert!(!q.path.contains("M0 0"));
    }
}
