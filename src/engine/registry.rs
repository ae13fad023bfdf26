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
    ("TW107", checks::data_events::s3_write),
    ("TW108", checks::data_events::s3_read),
    ("TW109", checks::data_events::dynamodb),
    ("TW110", checks::data_events::lambda),
    ("TW111", checks::trail_settings::insights),
    ("TW112", checks::delivery_health::logging),
    ("TW113", checks::delivery_health::log_delivery),
    ("TW114", checks::delivery_health::digest_delivery),
    ("TW115", checks::delivery_health::sns_notifications),
    ("TW116", checks::trail_settings::security_trail),
    ("TW117", checks::trail_settings::tagged),
    ("TW201", checks::log_bucket_not_public::check),
    ("TW202", checks::log_bucket_access_logging::check),
    ("TW203", checks::log_bucket_separate_account::check),
    ("TW204", checks::log_bucket_hardening::versioning),
    ("TW205", checks::log_bucket_hardening::mfa_delete),
    ("TW206", checks::log_bucket_hardening::object_lock),
    ("TW207", checks::log_bucket_policy::scoped),
    ("TW208", checks::log_bucket_policy::tls_only),
    ("TW209", checks::log_bucket_hardening::sse_kms),
    ("TW210", checks::log_bucket_access_recorded::check),
    ("TW301", checks::cloudwatch_logs_delivery::check),
    ("TW401", checks::trail_kms_cmk::check),
    ("TW402", checks::cmk_rotation::check),
    ("TW403", checks::kms_and_log_groups::key_policy),
    ("TW404", checks::kms_and_log_groups::log_group_kms),
    ("TW501", checks::log_archive_retention::check),
    ("TW502", checks::log_group_retention::check),
    ("TW601", checks::lake::event_data_store),
    ("TW602", checks::lake::cmk),
    ("TW701", checks::config_recorder::check),
];
