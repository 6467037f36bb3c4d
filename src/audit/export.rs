//! Export formats. Rows are formatted one at a time so exports stream instead of building
//! the whole log in memory.

use crate::models::AuditEntry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

impl ExportFormat {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "ndjson" | "jsonl" => Some(ExportFormat::Ndjson),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Ndjson => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Ndjson => "ndjson",
        }
    }

    /// What precedes the rows.
    pub fn header(self) -> &'static str {
        match self {
            ExportFormat::Csv => {
                "id,timestamp_utc,username,action,source_ip,detail,device_id,session_id,outcome,reason\n"
            }
            ExportFormat::Ndjson => "",
        }
    }

    /// One row, ending in a newline.
    pub fn row(self, e: &AuditEntry) -> String {
        match self {
            ExportFormat::Csv => {
                let ts =
                    e.ts.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                let fields = [
                    e.id.to_string(),
                    ts,
                    e.username.clone(),
                    e.action.as_str().to_owned(),
                    e.source_ip.clone().unwrap_or_default(),
                    e.detail.clone(),
                    e.device_id.map(|d| d.to_string()).unwrap_or_default(),
                    e.session_id.clone().unwrap_or_default(),
                    e.outcome.map(|o| o.as_str().to_owned()).unwrap_or_default(),
                    e.reason
                        .as_ref()
                        .map(|r| r.code().to_owned())
                        .unwrap_or_default(),
                ];
                let mut line = fields
                    .iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(",");
                line.push('\n');
                line
            }
            ExportFormat::Ndjson => {
                let mut line = serde_json::to_string(e).unwrap_or_default();
                line.push('\n');
                line
            }
        }
    }
}

/// Quotes a CSV field when needed, and defuses spreadsheet formulas (`=`, `+`, `-`, `@`).
fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn formats_parse() {
        assert_eq!(ExportFormat::parse("CSV"), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::parse("ndjson"), Some(ExportFormat::Ndjson));
        assert_eq!(ExportFormat::parse("xml"), None);
    }
}
