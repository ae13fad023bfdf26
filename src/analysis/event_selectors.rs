//! Which management events a trail's event selectors record.
//!
//! Classic and advanced selectors are judged by meaning, as AWS applies them:
//! selectors are OR-ed, so a read-only selector plus a write-only selector record all
//! management events. An advanced selector's name means nothing. An advanced management
//! selector records all events only if nothing but `eventCategory` (and `readOnly`)
//! constrains it: any `eventSource` or other field narrows it. A classic selector with
//! `ExcludeManagementEventSources` records all events except those sources.

use crate::inventory::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelectors, ReadWriteType,
};

/// What the selectors record of management events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManagementCoverage {
    /// Every read-only management event, from every source, is recorded.
    pub all_reads: bool,
    /// Every write management event, from every source, is recorded.
    pub all_writes: bool,
    /// Selectors that record management events only partly, and how.
    pub narrowed: Vec<String>,
}

impl ManagementCoverage {
    pub fn is_complete(&self) -> bool {
        self.all_reads && self.all_writes
    }

    /// Whether any management event at all is recorded.
    pub fn records_any(&self) -> bool {
        self.all_reads || self.all_writes || !self.narrowed.is_empty()
    }

    /// Why coverage is incomplete, in words.
    pub fn shortfall(&self) -> String {
        let missing = match (self.all_reads, self.all_writes) {
            (true, true) => return String::new(),
            (true, false) => "write management events are not all recorded",
            (false, true) => "read management events are not all recorded",
            (false, false) => {
                "management events are not all recorded (neither all reads nor all writes)"
            }
        };
        if self.narrowed.is_empty() {
            missing.to_owned()
        } else {
            format!("{missing}; {}", self.narrowed.join("; "))
        }
    }
}

/// The management events `selectors` record.
pub fn management_coverage(selectors: &EventSelectors) -> ManagementCoverage {
    let mut coverage = ManagementCoverage::default();
    for (index, selector) in selectors.classic.iter().enumerate() {
        if !selector.include_management_events {
            continue;
        }
        if !selector.exclude_management_event_sources.is_empty() {
            coverage.narrowed.push(format!(
                "event selector {} excludes management events from {}",
                index + 1,
                selector.exclude_management_event_sources.join(", ")
            ));
            continue;
        }
        let (reads, writes) = match selector.read_write_type {
            ReadWriteType::All => (true, true),
            ReadWriteType::ReadOnly => (true, false),
            ReadWriteType::WriteOnly => (false, true),
        };
        coverage.all_reads |= reads;
        coverage.all_writes |= writes;
    }
    for (index, selector) in selectors.advanced.iter().enumerate() {
        let label = advanced_label(index, selector);
        let category = selector
            .field_selectors
            .iter()
            .filter(|f| f.field == "eventCategory")
            .collect::<Vec<_>>();
        if category.is_empty() || !category.iter().all(|f| admits(f, "Management")) {
            continue; // a data-event or other selector: says nothing about management events
        }
        let mut reads = true;
        let mut writes = true;
        let mut narrowing = Vec::new();
        for field in &selector.field_selectors {
            match field.field.as_str() {
                "eventCategory" => {}
                "readOnly" => {
                    reads &= admits(field, "true");
                    writes &= admits(field, "false");
                }
                other => narrowing.push(format!("`{other}` {}", describe(field))),
            }
        }
        if !narrowing.is_empty() {
            coverage.narrowed.push(format!(
                "{label} records only management events where {}",
                narrowing.join(" and ")
            ));
            continue;
        }
        coverage.all_reads |= reads;
        coverage.all_writes |= writes;
    }
    coverage
}

/// How messages name an advanced selector: its position, and its name if it has one.
pub fn advanced_label(index: usize, selector: &AdvancedEventSelector) -> String {
    match &selector.name {
        Some(name) => format!("advanced selector {} ({name:?})", index + 1),
        None => format!("advanced selector {}", index + 1),
    }
}

/// Whether a field selector lets `value` through. Operators are AND-ed; the values of one
/// operator are OR-ed (positive) or all excluded (negative), as AWS documents.
pub fn admits(field: &AdvancedFieldSelector, value: &str) -> bool {
    let positive = |values: &[String], test: &dyn Fn(&str) -> bool| {
        values.is_empty() || values.iter().any(|v| test(v))
    };
    let negative = |values: &[String], test: &dyn Fn(&str) -> bool| !values.iter().any(|v| test(v));
    positive(&field.equals, &|v| v == value)
        && positive(&field.starts_with, &|v| value.starts_with(v))
        && positive(&field.ends_with, &|v| value.ends_with(v))
        && negative(&field.not_equals, &|v| v == value)
        && negative(&field.not_starts_with, &|v| value.starts_with(v))
        && negative(&field.not_ends_with, &|v| value.ends_with(v))
}

pub fn describe(field: &AdvancedFieldSelector) -> String {
    let mut parts = Vec::new();
    for (op, values) in [
        ("equals", &field.equals),
        ("starts with", &field.starts_with),
        ("ends with", &field.ends_with),
        ("does not equal", &field.not_equals),
        ("does not start with", &field.not_starts_with),
        ("does not end with", &field.not_ends_with),
    ] {
        if !values.is_empty() {
            parts.push(format!("{op} {}", values.join("|")));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{AdvancedEventSelector, EventSelector};

    fn field(name: &str, equals: &[&str]) -> AdvancedFieldSelector {
        AdvancedFieldSelector {
            field: name.into(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            starts_with: vec![],
            ends_with: vec![],
            not_equals: vec![],
            not_starts_with: vec![],
            not_ends_with: vec![],
        }
    }

    fn advanced(name: Option<&str>, fields: Vec<AdvancedFieldSelector>) -> EventSelectors {
        EventSelectors {
            classic: vec![],
            advanced: vec![AdvancedEventSelector {
                name: name.map(str::to_owned),
                field_selectors: fields,
            }],
        }
    }

    fn classic(rw: ReadWriteType, mgmt: bool, exclude: &[&str]) -> EventSelector {
        EventSelector {
            read_write_type: rw,
            include_management_events: mgmt,
            data_resources: vec![],
            exclude_management_event_sources: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn classic_all_is_complete() {
        let s = EventSelectors {
            classic: vec![classic(ReadWriteType::All, true, &[])],
            advanced: vec![],
        };
        assert!(management_coverage(&s).is_complete());
    }

    #[test]
    fn classic_without_management_events_records_none() {
        let s = EventSelectors {
            classic: vec![classic(ReadWriteType::All, false, &[])],
            advanced: vec![],
        };
        let c = management_coverage(&s);
        assert!(!c.records_any());
    }

    #[test]
    fn classic_exclusions_narrow() {
        let s = EventSelectors {
            classic: vec![classic(ReadWriteType::All, true, &["kms.amazonaws.com"])],
            advanced: vec![],
        };
        let c = management_coverage(&s);
        assert!(!c.is_complete());
        assert!(
            c.shortfall().contains("kms.amazonaws.com"),
            "{}",
            c.shortfall()
        );
    }

    #[test]
    fn classic_read_plus_write_selectors_are_complete() {
        let s = EventSelectors {
            classic: vec![
                classic(ReadWriteType::ReadOnly, true, &[]),
                classic(ReadWriteType::WriteOnly, true, &[]),
            ],
            advanced: vec![],
        };
        assert!(management_coverage(&s).is_complete());
        let only_writes = EventSelectors {
            classic: vec![classic(ReadWriteType::WriteOnly, true, &[])],
            advanced: vec![],
        };
        let c = management_coverage(&only_writes);
        assert!(c.all_writes && !c.all_reads);
    }

    #[test]
    fn advanced_name_is_irrelevant() {
        for name in [
            None,
            Some("Management events selector"),
            Some("anything at all"),
        ] {
            let s = advanced(name, vec![field("eventCategory", &["Management"])]);
            assert!(management_coverage(&s).is_complete(), "{name:?}");
        }
    }

    #[test]
    fn advanced_read_only_field_limits() {
        let s = advanced(
            None,
            vec![
                field("eventCategory", &["Management"]),
                field("readOnly", &["false"]),
            ],
        );
        let c = management_coverage(&s);
        assert!(c.all_writes && !c.all_reads);
    }

    #[test]
    fn advanced_event_source_exclusion_narrows() {
        let mut source = field("eventSource", &[]);
        source.not_equals = vec!["kms.amazonaws.com".into()];
        let s = advanced(
            Some("Management events selector"),
            vec![field("eventCategory", &["Management"]), source],
        );
        let c = management_coverage(&s);
        assert!(!c.is_complete());
        assert!(
            c.shortfall().contains("does not equal kms.amazonaws.com"),
            "{}",
            c.shortfall()
        );
    }

    #[test]
    fn advanced_data_selector_says_nothing_about_management() {
        let s = advanced(
            None,
            vec![
                field("eventCategory", &["Data"]),
                field("resources.type", &["AWS::S3::Object"]),
            ],
        );
        assert!(!management_coverage(&s).records_any());
    }

    #[test]
    fn no_selectors_record_nothing() {
        assert!(!management_coverage(&EventSelectors::default()).records_any());
    }
}
