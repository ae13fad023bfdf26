//! AWS Config: the configuration recorders of a region and whether they record.

use crate::aws::failure::observation_error;
use crate::inventory::{ConfigRecorder, Observed};
use aws_sdk_config::Client;

/// Every recorder of the region with its status. A recorder without a status entry is
/// reported as not recording (AWS lists a status for every recorder it has).
pub async fn recorders(client: &Client) -> Observed<Vec<ConfigRecorder>> {
    let (recorders, statuses) = tokio::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
    );
    let recorders = match recorders {
        Ok(output) => output,
        Err(e) => {
            return Observed::Error(observation_error(
                "config:DescribeConfigurationRecorders",
                &e,
            ))
        }
    };
    let statuses = match statuses {
        Ok(output) => output,
        Err(e) => {
            return Observed::Error(observation_error(
                "config:DescribeConfigurationRecorderStatus",
                &e,
            ))
        }
    };
    Observed::Ok(
        recorders
            .configuration_recorders()
            .iter()
            .map(|recorder| {
                let name = recorder.name().unwrap_or_default().to_owned();
                let status = statuses
                    .configuration_recorders_status()
                    .iter()
                    .find(|s| s.name() == Some(name.as_str()));
                let group = recorder.recording_group();
                ConfigRecorder {
                    all_supported: group.is_some_and(|g| g.all_supported()),
                    include_global_resource_types: group
                        .is_some_and(|g| g.include_global_resource_types()),
                    recording_strategy: group
                        .and_then(|g| g.recording_strategy())
                        .and_then(|s| s.use_only())
                        .map(|s| s.as_str().to_owned()),
                    excluded_resource_types: group
                        .and_then(|g| g.exclusion_by_resource_types())
                        .map(|e| {
                            e.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                    recording: status.is_some_and(|s| s.recording()),
                    last_status: status
                        .and_then(|s| s.last_status())
                        .map(|s| s.as_str().to_owned()),
                    name,
                }
            })
            .collect(),
    )
}
