//! The SDK configuration of the caller's own session: the standard credential chain,
//! profile, home region, endpoint, retries and timeouts.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Home region: where global calls go. Default: the profile's or `AWS_REGION`, else us-east-1.
    pub region: Option<String>,
    /// An AWS-compatible endpoint for every service (also read from `AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// Attempts per call, first try included (standard retry).
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    /// Limit for one attempt of one call.
    pub attempt_timeout: Duration,
}

/// The SDK configuration for the caller's own session.
///
/// Retries are the SDK's standard mode (jittered exponential backoff, at most 20 s, and a
/// retry quota), not its adaptive mode. Adaptive mode adds a client-side rate limiter built
/// for one resource: after a throttle it falls to as little as 0.5 requests per second for
/// the whole client, whatever operation was throttled. Under the fault tests' 40%
/// throttling an organization scan took 165 s in adaptive mode and 17 s in standard mode,
/// with the same findings (tests/it/faults.rs). Congestion is bounded instead by the
/// collector's own in-flight limits per account, service and region (aws/limits.rs).
pub async fn sdk_config(options: &AwsOptions) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(options.connect_timeout)
        .operation_attempt_timeout(options.attempt_timeout)
        .operation_timeout(options.attempt_timeout * options.max_attempts.max(1) * 2)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    // Without a configured region, collection uses its default home region.
    loader.load().await
}
