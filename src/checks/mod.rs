//! Rule logic: one file per rule or small family, named after the rule. This file is the
//! table of contents: each entry declares a rule file and, beside it, the codes whose logic it
//! holds and the function of each. The engine's catalog binds these codes to `rules/*.toml`
//! one to one and refuses any difference. Shared judging helpers are in `judge.rs`.

mod judge;

use crate::rule::CheckFn;

/// Declares each rule file as a module and builds [`REGISTRY`] from the codes listed with it.
macro_rules! registry {
    ($(mod $module:ident { $($code:literal => $function:ident),+ $(,)? })+) => {
        $(pub mod $module;)+

        /// The one list binding rule codes to their logic.
        pub static REGISTRY: &[(&str, CheckFn)] = &[$($(($code, $module::$function),)+)+];
    };
}

registry! {
    mod multi_region_trail { "TW101" => check }
    mod log_file_validation { "TW102" => check }
    mod global_service_events { "TW103" => check }
    mod global_service_events_duplicated { "TW104" => check }
    mod organization_trail { "TW105" => check }
    mod cloudtrail_delegated_admin { "TW106" => check }
    mod data_events {
        "TW107" => s3_write,
        "TW108" => s3_read,
        "TW109" => dynamodb,
        "TW110" => lambda,
    }
    mod insights_enabled { "TW111" => check }
    mod delivery_health {
        "TW112" => logging,
        "TW113" => log_delivery,
        "TW114" => digest_delivery,
        "TW115" => sns_notifications,
    }
    mod security_trail { "TW116" => check }
    mod trail_tagged { "TW117" => check }
    mod log_integrity { "TW118" => check }
    mod log_bucket_not_public { "TW201" => check }
    mod log_bucket_access_logging { "TW202" => check }
    mod log_bucket_separate_account { "TW203" => check }
    mod log_bucket_hardening {
        "TW204" => versioning,
        "TW205" => mfa_delete,
        "TW206" => object_lock,
        "TW209" => sse_kms,
    }
    mod log_bucket_policy { "TW207" => scoped, "TW208" => tls_only }
    mod log_bucket_access_recorded { "TW210" => check }
    mod cloudwatch_logs_delivery { "TW301" => check }
    mod trail_kms_cmk { "TW401" => check }
    mod cmk_rotation { "TW402" => check }
    mod key_policy { "TW403" => check }
    mod log_group_kms { "TW404" => check }
    mod log_archive_retention { "TW501" => check }
    mod log_group_retention { "TW502" => check }
    mod lake { "TW601" => event_data_store, "TW602" => cmk }
    mod config_recorder { "TW701" => check }
    mod monitoring {
        "TW801" => control,
        "TW802" => control,
        "TW803" => control,
        "TW804" => control,
        "TW805" => control,
        "TW806" => control,
        "TW807" => control,
        "TW808" => control,
        "TW809" => control,
        "TW810" => control,
        "TW811" => control,
        "TW812" => control,
        "TW813" => control,
        "TW814" => control,
        "TW815" => control,
        "TW816" => alarm_actions,
        "TW817" => alarm_actions_enabled,
        "TW821" => control,
        "TW822" => control,
        "TW823" => control,
    }
}
