//! One place that builds every AWS client of a scan, so that each carries the read-only guard
//! and call log ([`ApiCallLog`]), the scan's retry and timeout settings, and the endpoint
//! handling an AWS-compatible endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`) needs.

use super::api_calls::ApiCallLog;
use aws_config::{Region, SdkConfig};

/// Client factory for one credential session (one account).
#[derive(Debug, Clone)]
pub struct Clients {
    config: SdkConfig,
    log: ApiCallLog,
}

macro_rules! client {
    ($(#[$doc:meta])* $method:ident, $krate:ident) => {
        $(#[$doc])*
        pub fn $method(&self, region: &str) -> $krate::Client {
            let config = $krate::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .interceptor(self.log.clone())
                .build();
            $krate::Client::from_conf(config)
        }
    };
}

impl Clients {
    pub fn new(config: SdkConfig, log: ApiCallLog) -> Clients {
        Clients { config, log }
    }

    /// The endpoint every service is sent to instead of AWS's, when one is configured.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.endpoint_url()
    }

    client!(sts, aws_sdk_sts);
    client!(ec2, aws_sdk_ec2);
    client!(cloudtrail, aws_sdk_cloudtrail);
    client!(kms, aws_sdk_kms);
    client!(logs, aws_sdk_cloudwatchlogs);

    /// S3, with path-style addressing on a custom endpoint: bucket-named hosts
    /// (`bucket.127.0.0.1`) do not resolve on an AWS-compatible endpoint.
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .force_path_style(self.endpoint_url().is_some())
            .interceptor(self.log.clone())
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// S3 Control. AWS's endpoint rules put the account id in the host name
    /// (`ACCOUNT.s3-control.REGION.amazonaws.com`); on a custom endpoint that host does not
    /// exist, so the endpoint is used as given.
    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut builder = aws_sdk_s3control::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .interceptor(self.log.clone());
        if let Some(url) = self.endpoint_url() {
            builder = builder.endpoint_resolver(FixedEndpoint(url.to_owned()));
        }
        aws_sdk_s3control::Client::from_conf(builder.build())
    }
}

/// Resolves every S3 Control request to one endpoint, without an account host prefix.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_sdk_s3control::config::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}
