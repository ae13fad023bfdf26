//! Which data events (S3 objects, DynamoDB tables, Lambda functions) a trail's selectors record.
//!
//! Judged by meaning, for reads and writes separately, as AWS applies selectors: they are
//! OR-ed, so a read-only selector plus a write-only selector record both.
//!
//! - A classic selector's `DataResources` value matches every resource ARN that begins with
//!   it (`arn:aws:s3` and `arn:aws:s3:::` mean every bucket, `arn:aws:s3:::b/` every object of
//!   bucket `b`); its `ReadWriteType` says which side it records.
//! - An advanced selector records data events of a type when `eventCategory` admits `Data`
//!   and `resources.type` admits the type; `readOnly` (absent: both) says the side. It covers
//!   a whole target only when `resources.ARN` admits every ARN under the target and no other
//!   field (`eventName`, `eventSource`, `userIdentity.arn`, ...) filters events out: any such
//!   filter narrows it, and a narrowed selector is reported, not counted.

use super::event_selectors::{admits, advanced_label, describe};
use crate::inventory::{AdvancedFieldSelector, EventSelectors, ReadWriteType};

/// What must be recorded: every resource whose ARN begins with `Prefix`, or one `Exact` ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataEventTarget {
    Prefix(String),
    Exact(String),
}

impl DataEventTarget {
    fn as_str(&self) -> &str {
        match self {
            DataEventTarget::Prefix(p) | DataEventTarget::Exact(p) => p,
        }
    }

    /// Whether a classic `DataResources` value (a prefix) matches all of the target.
    fn matched_by_prefix(&self, value: &str) -> bool {
        self.as_str().starts_with(value)
    }
}

/// The resource type of a data event family, as selectors name it.
pub const S3_OBJECT: &str = "AWS::S3::Object";
pub const DYNAMODB_TABLE: &str = "AWS::DynamoDB::Table";
pub const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";

/// What the selectors record of one target's data events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataCoverage {
    pub reads: bool,
    pub writes: bool,
    /// Selectors that record the target only in part, and how.
    pub narrowed: Vec<String>,
}

impl DataCoverage {
    /// Whether the side asked for (reads, writes) is recorded.
    pub fn records(&self, side: Side) -> bool {
        match side {
            Side::Read => self.reads,
            Side::Write => self.writes,
            Side::Both => self.reads && self.writes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Read,
    Write,
    Both,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Read => "read",
            Side::Write => "write",
            Side::Both => "read and write",
        }
    }
}

/// The data events of `resource_type` under `target` that `selectors` record.
pub fn data_coverage(
    selectors: &EventSelectors,
    resource_type: &str,
    target: &DataEventTarget,
) -> DataCoverage {
    let mut coverage = DataCoverage::default();
    for (index, selector) in selectors.classic.iter().enumerate() {
        let matching = selector
            .data_resources
            .iter()
            .filter(|resource| resource.resource_type == resource_type)
            .collect::<Vec<_>>();
        if matching.is_empty() {
            continue;
        }
        if matching
            .iter()
            .any(|resource| resource.values.iter().any(|v| target.matched_by_prefix(v)))
        {
            let (reads, writes) = match selector.read_write_type {
                ReadWriteType::All => (true, true),
                ReadWriteType::ReadOnly => (true, false),
                ReadWriteType::WriteOnly => (false, true),
            };
            coverage.reads |= reads;
            coverage.writes |= writes;
        } else {
            let values = matching
                .iter()
                .flat_map(|resource| resource.values.iter().map(String::as_str))
                .collect::<Vec<_>>();
            coverage.narrowed.push(format!(
                "event selector {} records {resource_type} data events only for {}",
                index + 1,
                if values.is_empty() {
                    "no resource".to_owned()
                } else {
                    values.join(", ")
                }
            ));
        }
    }
    for (index, selector) in selectors.advanced.iter().enumerate() {
        let label = advanced_label(index, selector);
        let fields = &selector.field_selectors;
        let category = fields.iter().filter(|f| f.field == "eventCategory");
        let types = fields
            .iter()
            .filter(|f| f.field == "resources.type")
            .collect::<Vec<_>>();
        let is_data = category.clone().count() > 0 && category.clone().all(|f| admits(f, "Data"));
        if !is_data || types.is_empty() || !types.iter().all(|f| admits(f, resource_type)) {
            continue;
        }
        let mut reads = true;
        let mut writes = true;
        let mut narrowing = Vec::new();
        for field in fields {
            match field.field.as_str() {
                "eventCategory" | "resources.type" => {}
                "readOnly" => {
                    reads &= admits(field, "true");
                    writes &= admits(field, "false");
                }
                "resources.ARN" => {
                    if !admits_all(field, target) {
                        narrowing.push(format!("`resources.ARN` {}", describe(field)));
                    }
                }
                other => narrowing.push(format!("`{other}` {}", describe(field))),
            }
        }
        if !narrowing.is_empty() {
            coverage.narrowed.push(format!(
                "{label} records {resource_type} data events only where {}",
                narrowing.join(" and ")
            ));
            continue;
        }
        coverage.reads |= reads;
        coverage.writes |= writes;
    }
    coverage
}

/// Whether an ARN field selector lets every ARN of `target` through.
fn admits_all(field: &AdvancedFieldSelector, target: &DataEventTarget) -> bool {
    match target {
        DataEventTarget::Exact(arn) => admits(field, arn),
        DataEventTarget::Prefix(prefix) => {
            // Under a prefix lie ARNs of every shape: only `StartsWith` a prefix of it can
            // admit them all, and any exclusion that can reach inside it narrows.
            (field.equals.is_empty() && field.ends_with.is_empty())
                && (field.starts_with.is_empty()
                    || field
                        .starts_with
                        .iter()
                        .any(|v| prefix.starts_with(v.as_str())))
                && !field
                    .not_equals
                    .iter()
                    .any(|v| v.starts_with(prefix.as_str()))
                && !field
                    .not_starts_with
                    .iter()
                    .any(|v| v.starts_with(prefix.as_str()) || prefix.starts_with(v.as_str()))
                && field.not_ends_with.is_empty()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{AdvancedEventSelector, DataResource, EventSelector};

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

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> EventSelectors {
        EventSelectors {
            classic: vec![],
            advanced: vec![AdvancedEventSelector {
                name: Some("Log all S3 objects".into()),
                field_selectors: fields,
            }],
        }
    }

    fn classic(rw: ReadWriteType, values: &[&str]) -> EventSelectors {
        EventSelectors {
            classic: vec![EventSelector {
                read_write_type: rw,
                include_management_events: true,
                data_resources: vec![DataResource {
                    resource_type: S3_OBJECT.into(),
                    values: values.iter().map(|s| s.to_string()).collect(),
                }],
                exclude_management_event_sources: vec![],
            }],
            advanced: vec![],
        }
    }

    fn all_buckets() -> DataEventTarget {
        DataEventTarget::Prefix("arn:aws:s3:::".into())
    }

    #[test]
    fn classic_all_bucket_forms_cover_everything() {
        for value in ["arn:aws:s3", "arn:aws:s3:::"] {
            let c = data_coverage(
                &classic(ReadWriteType::All, &[value]),
                S3_OBJECT,
                &all_buckets(),
            );
            assert!(c.reads && c.writes, "{value}");
        }
    }

    #[test]
    fn classic_one_bucket_covers_that_bucket_only() {
        let s = classic(ReadWriteType::All, &["arn:aws:s3:::logs/"]);
        let c = data_coverage(&s, S3_OBJECT, &all_buckets());
        assert!(!c.reads && !c.writes);
        assert!(c.narrowed[0].contains("arn:aws:s3:::logs/"), "{c:?}");
        let c = data_coverage(
            &s,
            S3_OBJECT,
            &DataEventTarget::Prefix("arn:aws:s3:::logs/".into()),
        );
        assert!(c.reads && c.writes);
        let c = data_coverage(
            &s,
            S3_OBJECT,
            &DataEventTarget::Prefix("arn:aws:s3:::other/".into()),
        );
        assert!(!c.reads);
    }

    #[test]
    fn classic_read_write_type_decides_the_side() {
        let c = data_coverage(
            &classic(ReadWriteType::WriteOnly, &["arn:aws:s3"]),
            S3_OBJECT,
            &all_buckets(),
        );
        assert!(c.writes && !c.reads);
    }

    #[test]
    fn advanced_read_only_is_judged_per_side() {
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[S3_OBJECT]),
            field("readOnly", &["false"]),
        ]);
        let c = data_coverage(&s, S3_OBJECT, &all_buckets());
        assert!(
            c.writes && !c.reads,
            "a write-only selector must not pass the read check"
        );
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[S3_OBJECT]),
        ]);
        let c = data_coverage(&s, S3_OBJECT, &all_buckets());
        assert!(c.writes && c.reads);
    }

    #[test]
    fn advanced_arn_filters_narrow_unless_they_admit_everything() {
        let mut arn = field("resources.ARN", &[]);
        arn.starts_with = vec!["arn:aws:s3:::logs/".into()];
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[S3_OBJECT]),
            arn.clone(),
        ]);
        let c = data_coverage(&s, S3_OBJECT, &all_buckets());
        assert!(!c.reads && !c.writes && c.narrowed.len() == 1, "{c:?}");
        let c = data_coverage(
            &s,
            S3_OBJECT,
            &DataEventTarget::Prefix("arn:aws:s3:::logs/".into()),
        );
        assert!(c.reads && c.writes);

        let mut everything = field("resources.ARN", &[]);
        everything.starts_with = vec!["arn:aws:s3:::".into()];
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[S3_OBJECT]),
            everything,
        ]);
        assert!(data_coverage(&s, S3_OBJECT, &all_buckets()).reads);

        let mut excluded = field("resources.ARN", &[]);
        excluded.not_starts_with = vec!["arn:aws:s3:::noisy/".into()];
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[S3_OBJECT]),
            excluded,
        ]);
        assert!(!data_coverage(&s, S3_OBJECT, &all_buckets()).reads);
        assert!(
            data_coverage(
                &s,
                S3_OBJECT,
                &DataEventTarget::Prefix("arn:aws:s3:::logs/".into())
            )
            .reads,
            "an exclusion elsewhere does not narrow this bucket"
        );
    }

    #[test]
    fn other_fields_and_other_types_do_not_count() {
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[S3_OBJECT]),
            field("eventName", &["PutObject"]),
        ]);
        let c = data_coverage(&s, S3_OBJECT, &all_buckets());
        assert!(!c.writes && c.narrowed[0].contains("eventName"), "{c:?}");
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[LAMBDA_FUNCTION]),
        ]);
        let c = data_coverage(&s, S3_OBJECT, &all_buckets());
        assert_eq!(c, DataCoverage::default());
        let c = data_coverage(
            &s,
            LAMBDA_FUNCTION,
            &DataEventTarget::Prefix("arn:aws:lambda".into()),
        );
        assert!(c.reads && c.writes);
    }

    #[test]
    fn exact_targets_use_the_field_operators() {
        let table = "arn:aws:dynamodb:us-east-1:111111111111:table/orders";
        let s = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[DYNAMODB_TABLE]),
            field("resources.ARN", &[table]),
        ]);
        assert!(data_coverage(&s, DYNAMODB_TABLE, &DataEventTarget::Exact(table.into())).reads);
        assert!(
            !data_coverage(
                &s,
                DYNAMODB_TABLE,
                &DataEventTarget::Prefix("arn:aws:dynamodb".into())
            )
            .reads
        );
    }
}
