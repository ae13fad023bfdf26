//! Which regions an account has enabled (`ec2:DescribeRegions` with `AllRegions`).

use crate::aws::failure::observation_error;
use crate::inventory::ObservationError;

/// A region AWS knows for the account, and whether the account may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionAvailability {
    pub name: String,
    /// `opt-in-not-required`, `opted-in` or `not-opted-in`.
    pub opt_in_status: String,
}

impl RegionAvailability {
    pub fn is_enabled(&self) -> bool {
        matches!(
            self.opt_in_status.as_str(),
            "opt-in-not-required" | "opted-in"
        )
    }
}

pub async fn describe_regions(
    client: &aws_sdk_ec2::Client,
) -> Result<Vec<RegionAvailability>, ObservationError> {
    let output = client
        .describe_regions()
        .all_regions(true)
        .send()
        .await
        .map_err(|e| observation_error("ec2:DescribeRegions", &e))?;
    let mut regions = output
        .regions()
        .iter()
        .filter_map(|r| {
            Some(RegionAvailability {
                name: r.region_name()?.to_owned(),
                opt_in_status: r
                    .opt_in_status()
                    .unwrap_or("opt-in-not-required")
                    .to_owned(),
            })
        })
        .collect::<Vec<_>>();
    regions.sort_by(|a, b| a.name.cmp(&b.name));
    regions.dedup_by(|a, b| a.name == b.name);
    Ok(regions)
}
