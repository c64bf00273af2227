//! CSV downloads that open as they should in Danish Excel: `;` between
//! cells, UTF-8 with a byte-order mark, and every cell that a spreadsheet
//! would read as a formula prefixed with `'` (CSV injection).
use actix_web::HttpResponse;

use crate::web::error::AppError;

/// A cell that a spreadsheet would read as a formula is prefixed with `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The rows as a CSV attachment called `filename`.
pub fn excel_csv(
    filename: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(header)
            .map_err(|e| AppError::Unexpected(e.into()))?;
        for row in rows {
            w.write_record(row.iter().map(|c| neutralise(c)))
                .map_err(|e| AppError::Unexpected(e.into()))?;
        }
        w.flush().map_err(|e| AppError::Unexpected(e.into()))?;
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(out))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        for (input, want) in [
            ("=1+1", "'=1+1"),
            ("+45 20", "'+45 20"),
            ("-3", "'-3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("Tømrer", "Tømrer"),
        ] {
            assert_eq!(neutralise(input), want);
        }
    }
}
