//! The one list binding rule codes to their logic. Adding a rule adds one line here.

use super::evaluate::{CheckResult, RuleContext};
use crate::checks;

/// A rule's logic: a pure function of the inventory and its parameters.
pub type CheckFn = fn(&RuleContext) -> CheckResult;

pub static REGISTRY: &[(&str, CheckFn)] = &[
    ("TW101", checks::multi_region_trail::check),
    ("TW102", checks::log_file_validation::check),
    ("TW103", checks::global_service_events::check),
    ("TW104", checks::global_service_events_duplicated::check),
    ("TW105", checks::organization_trail::check),
    ("TW106", checks::cloudtrail_delegated_admin::check),
    ("TW201", checks::log_bucket_not_public::check),
    ("TW202", checks::log_bucket_access_logging::check),
    ("TW203", checks::log_bucket_separate_account::check),
    ("TW301", checks::cloudwatch_logs_delivery::check),
    ("TW401", checks::trail_kms_cmk::check),
    ("TW402", checks::cmk_rotation::check),
    ("TW501", checks::log_archive_retention::check),
    ("TW502", checks::log_group_retention::check),
];
