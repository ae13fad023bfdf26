//! CSV, one row per finding with the columns an auditor filters on, framework controls
//! included (`cis-aws-5.0:3.1; aws-security-hub:CloudTrail.1`).
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return as a
//! formula; AWS names and messages are not ours to trust, so such a cell gets a leading `'`
//! (the OWASP advice against CSV injection).

use super::Report;

const COLUMNS: [&str; 20] = [
    "status",
    "waived",
    "baseline",
    "severity",
    "rule",
    "rule_name",
    "title",
    "account",
    "account_name",
    "region",
    "resource_kind",
    "resource",
    "message",
    "controls",
    "waiver_reason",
    "waiver_expires",
    "waiver_owner",
    "remediation",
    "documentation",
    "fingerprint",
];

pub fn render(report: &Report) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for finding in &report.evaluation.findings {
        let rule = report.catalog.rule(&finding.rule_code);
        let waiver = finding.waiver.as_ref();
        let account_name = report
            .inventory
            .accounts
            .get(&finding.account)
            .and_then(|account| account.name.clone())
            .unwrap_or_default();
        let waived = match waiver {
            Some(w) if w.expired => "expired",
            Some(_) => "yes",
            None => "",
        };
        let record = [
            finding.status.as_str().to_owned(),
            waived.to_owned(),
            finding
                .baseline
                .map(|b| b.as_str().to_owned())
                .unwrap_or_default(),
            finding.severity.as_str().to_owned(),
            finding.rule_code.clone(),
            finding.rule_name.clone(),
            finding.title.clone(),
            finding.account.clone(),
            account_name,
            finding.region.clone(),
            finding.resource_kind.as_str().to_owned(),
            finding.resource.clone(),
            finding.message.clone(),
            finding
                .controls
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            waiver.map(|w| w.reason.clone()).unwrap_or_default(),
            waiver.map(|w| w.expires.to_string()).unwrap_or_default(),
            waiver.and_then(|w| w.owner.clone()).unwrap_or_default(),
            rule.map(|r| r.spec.remediation.summary.trim().to_owned())
                .unwrap_or_default(),
            rule.map(|r| r.spec.docs_url()).unwrap_or_default(),
            finding.fingerprint(),
        ];
        writer.write_record(record.iter().map(|cell| defuse(cell).into_owned()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A cell a spreadsheet would evaluate, made inert.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        assert_eq!(super::defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::defuse("arn:aws:s3:::b"), "arn:aws:s3:::b");
    }
}
