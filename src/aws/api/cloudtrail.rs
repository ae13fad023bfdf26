//! CloudTrail: trails per region (shadow trails included), then each trail's status, event
//! selectors, insight selectors and tags, asked once in the trail's home region; and each
//! region's CloudTrail Lake event data stores.

use crate::aws::failure::{observation_error, observe, observe_or, observe_pages};
use crate::aws::timestamp;
use crate::inventory::{
    AdvancedEventSelector, AdvancedFieldSelector, Arn, DataResource, ErrorKind, EventDataStore,
    EventSelector, EventSelectors, InsightSelector, ObservationError, Observed, ReadWriteType, Tag,
    Trail, TrailStatus,
};
use aws_sdk_cloudtrail::Client;
use chrono::{DateTime, Utc};

/// `DescribeTrails` with shadow trails: every trail this region's API lists. `DescribeTrails`
/// has no pagination. A trail without a valid ARN makes the whole answer unusable.
pub async fn describe_trails(client: &Client) -> Result<Vec<Trail>, ObservationError> {
    const ACTION: &str = "cloudtrail:DescribeTrails";
    let output = client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| observation_error(ACTION, &e))?;
    output
        .trail_list()
        .iter()
        .map(|trail| {
            let arn = trail.trail_arn().unwrap_or_default();
            let parsed = Arn::parse_regional(arn, "cloudtrail").map_err(|e| ObservationError {
                kind: ErrorKind::Failed,
                operation: ACTION.to_owned(),
                message: format!("AWS listed a trail with an unusable ARN `{arn}`: {e}"),
            })?;
            let name_from_arn = parsed
                .resource
                .strip_prefix("trail/")
                .unwrap_or(parsed.resource);
            Ok(Trail {
                arn: arn.to_owned(),
                name: trail.name().unwrap_or(name_from_arn).to_owned(),
                home_region: trail.home_region().unwrap_or(parsed.region).to_owned(),
                is_multi_region: trail.is_multi_region_trail().unwrap_or(false),
                is_organization_trail: trail.is_organization_trail().unwrap_or(false),
                include_global_service_events: trail
                    .include_global_service_events()
                    .unwrap_or(false),
                log_file_validation_enabled: trail.log_file_validation_enabled().unwrap_or(false),
                s3_bucket_name: non_empty(trail.s3_bucket_name()),
                s3_key_prefix: non_empty(trail.s3_key_prefix()),
                kms_key_id: non_empty(trail.kms_key_id()),
                sns_topic_arn: non_empty(trail.sns_topic_arn()),
                cloud_watch_logs_log_group_arn: non_empty(trail.cloud_watch_logs_log_group_arn()),
                cloud_watch_logs_role_arn: non_empty(trail.cloud_watch_logs_role_arn()),
                status: Observed::default(),
                event_selectors: Observed::default(),
                insight_selectors: Observed::default(),
                tags: Observed::default(),
                log_integrity: None,
                unknown_settings: Default::default(),
            })
        })
        .collect()
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

pub async fn trail_status(client: &Client, arn: &str) -> Observed<TrailStatus> {
    let result = client.get_trail_status().name(arn).send().await;
    let status = result.map(|status| TrailStatus {
        is_logging: status.is_logging().unwrap_or(false),
        latest_delivery_time: status.latest_delivery_time().and_then(timestamp),
        latest_delivery_error: non_empty(status.latest_delivery_error()),
        latest_digest_delivery_time: status.latest_digest_delivery_time().and_then(timestamp),
        latest_digest_delivery_error: non_empty(status.latest_digest_delivery_error()),
        latest_cloud_watch_logs_delivery_time: status
            .latest_cloud_watch_logs_delivery_time()
            .and_then(timestamp),
        latest_cloud_watch_logs_delivery_error: non_empty(
            status.latest_cloud_watch_logs_delivery_error(),
        ),
        start_logging_time: status.start_logging_time().and_then(timestamp),
        stop_logging_time: status.stop_logging_time().and_then(timestamp),
        deliveries_unknown: None,
    });
    observe("cloudtrail:GetTrailStatus", status)
}

pub async fn event_selectors(client: &Client, arn: &str) -> Observed<EventSelectors> {
    let result = client.get_event_selectors().trail_name(arn).send().await;
    observe(
        "cloudtrail:GetEventSelectors",
        result.map(|output| event_selectors_of(&output)),
    )
}

fn event_selectors_of(
    output: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> EventSelectors {
    let classic = output
        .event_selectors()
        .iter()
        .map(|selector| EventSelector {
            read_write_type: match selector.read_write_type().map(|t| t.as_str()) {
                Some("ReadOnly") => ReadWriteType::ReadOnly,
                Some("WriteOnly") => ReadWriteType::WriteOnly,
                // AWS documents `All` as the default when the field is absent.
                _ => ReadWriteType::All,
            },
            // AWS documents `true` as the default.
            include_management_events: selector.include_management_events().unwrap_or(true),
            data_resources: selector
                .data_resources()
                .iter()
                .map(|resource| DataResource {
                    resource_type: resource.r#type().unwrap_or_default().to_owned(),
                    values: resource.values().to_vec(),
                })
                .collect(),
            exclude_management_event_sources: selector.exclude_management_event_sources().to_vec(),
        })
        .collect();
    let advanced = advanced_selectors(output.advanced_event_selectors());
    EventSelectors { classic, advanced }
}

fn advanced_selectors(
    selectors: &[aws_sdk_cloudtrail::types::AdvancedEventSelector],
) -> Vec<AdvancedEventSelector> {
    selectors
        .iter()
        .map(|selector| AdvancedEventSelector {
            name: non_empty(selector.name()),
            field_selectors: selector
                .field_selectors()
                .iter()
                .map(|field| AdvancedFieldSelector {
                    field: field.field().to_owned(),
                    equals: field.equals().to_vec(),
                    starts_with: field.starts_with().to_vec(),
                    ends_with: field.ends_with().to_vec(),
                    not_equals: field.not_equals().to_vec(),
                    not_starts_with: field.not_starts_with().to_vec(),
                    not_ends_with: field.not_ends_with().to_vec(),
                })
                .collect(),
        })
        .collect()
}

pub async fn insight_selectors(client: &Client, arn: &str) -> Observed<Vec<InsightSelector>> {
    let result = client.get_insight_selectors().trail_name(arn).send().await;
    let selectors = result.map(|output| {
        output
            .insight_selectors()
            .iter()
            .filter_map(|s| s.insight_type())
            .map(|t| InsightSelector {
                insight_type: t.as_str().to_owned(),
            })
            .collect()
    });
    // InsightNotEnabledException is AWS's answer for a trail without Insights.
    observe_or(
        "cloudtrail:GetInsightSelectors",
        selectors,
        &["InsightNotEnabledException"],
        Vec::new,
    )
}

/// The trail's tags (`ListTags`, paginated by token; the SDK has no paginator for it).
pub async fn tags(client: &Client, arn: &str) -> Observed<Vec<Tag>> {
    const ACTION: &str = "cloudtrail:ListTags";
    let mut tags = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let result = client
            .list_tags()
            .resource_id_list(arn)
            .set_next_token(token.take())
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(e) => return Observed::Error(observation_error(ACTION, &e)),
        };
        for list in output.resource_tag_list() {
            tags.extend(list.tags_list().iter().map(|tag| Tag {
                key: tag.key().to_owned(),
                value: tag.value().unwrap_or_default().to_owned(),
            }));
        }
        match output.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    Observed::Ok(tags)
}

/// The region's CloudTrail Lake event data stores: `ListEventDataStores` (paginated), then
/// `GetEventDataStore` for each, whose answer is the documented one (the list's per-store
/// fields are deprecated). One store that cannot be read makes the whole list unknown: a
/// partial list would read as a complete one.
pub async fn event_data_stores(client: &Client) -> Observed<Vec<EventDataStore>> {
    const LIST: &str = "cloudtrail:ListEventDataStores";
    const GET: &str = "cloudtrail:GetEventDataStore";
    let pages = client.list_event_data_stores().into_paginator().send();
    let arns = match observe_pages(LIST, pages, |page| {
        page.event_data_stores()
            .iter()
            .filter_map(|store| store.event_data_store_arn())
            .map(str::to_owned)
            .collect()
    })
    .await
    {
        Observed::Ok(arns) => arns,
        Observed::Error(error) => return Observed::Error(error),
    };
    let mut stores = Vec::with_capacity(arns.len());
    for arn in arns {
        let output = match client
            .get_event_data_store()
            .event_data_store(&arn)
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) => return Observed::Error(observation_error(GET, &e)),
        };
        stores.push(EventDataStore {
            name: output.name().unwrap_or_default().to_owned(),
            status: output
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            multi_region_enabled: output.multi_region_enabled().unwrap_or(false),
            organization_enabled: output.organization_enabled().unwrap_or(false),
            retention_period: output.retention_period().map(i64::from),
            termination_protection_enabled: output
                .termination_protection_enabled()
                .unwrap_or(false),
            kms_key_id: non_empty(output.kms_key_id()),
            advanced_event_selectors: advanced_selectors(output.advanced_event_selectors()),
            arn: output.event_data_store_arn().unwrap_or(&arn).to_owned(),
        });
    }
    Observed::Ok(stores)
}

/// The bucket and prefix of the trail `trail_arn`, from `DescribeTrails` in its home region.
pub async fn trail_location(
    client: &Client,
    trail_arn: &str,
    home_region: &str,
) -> Result<(String, Option<String>), TrailLocationError> {
    locate_trail(client, trail_arn, home_region)
        .await
        .map_err(TrailLocationError)
}

/// Where a trail's files are could not be learned: the call failed, the trail is not
/// there, or it names no bucket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TrailLocationError(String);

async fn locate_trail(
    client: &Client,
    trail_arn: &str,
    home_region: &str,
) -> Result<(String, Option<String>), String> {
    let answer = client
        .describe_trails()
        .trail_name_list(trail_arn)
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| observation_error("cloudtrail:DescribeTrails", &e).to_string())?;
    let trail = answer
        .trail_list()
        .iter()
        .find(|t| t.trail_arn() == Some(trail_arn))
        .ok_or_else(|| {
            format!(
                "trail {trail_arn} not found in {home_region} (give --s3-bucket to verify a copy of its files)"
            )
        })?;
    let bucket = trail
        .s3_bucket_name()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| format!("trail {trail_arn} names no S3 bucket"))?;
    Ok((
        bucket.to_owned(),
        trail
            .s3_key_prefix()
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    ))
}

/// One of CloudTrail's public keys for digest signatures, as `ListPublicKeys` gives it.
pub struct DigestPublicKey {
    /// The key, DER-encoded (PKCS#1).
    pub der: Vec<u8>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
}

/// The region's public keys valid at some time in `[from, to]`, every page.
pub async fn public_keys(
    client: &Client,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Observed<Vec<DigestPublicKey>> {
    let pages = client
        .list_public_keys()
        .start_time(aws_smithy_types::DateTime::from_secs(from.timestamp()))
        .end_time(aws_smithy_types::DateTime::from_secs(to.timestamp()))
        .into_paginator()
        .send();
    observe_pages("cloudtrail:ListPublicKeys", pages, |page| {
        page.public_key_list()
            .iter()
            .filter_map(|key| {
                Some(DigestPublicKey {
                    der: key.value()?.as_ref().to_vec(),
                    valid_from: key.validity_start_time().and_then(timestamp),
                    valid_to: key.validity_end_time().and_then(timestamp),
                })
            })
            .collect()
    })
    .await
}
