//! One place that builds every AWS client of a scan, so that each carries the read-only guard
//! and call log ([`ApiCallLog`]), the scan's retry and timeout settings, and the endpoint
//! handling an AWS-compatible endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`) needs. A client
//! is built once per service and region and shared by every call there.

use super::answers::CompleteAnswers;
use super::guard::ApiCallLog;
use aws_config::{Region, SdkConfig};
use std::collections::HashMap;
use std::sync::Mutex;

/// Clients of one service, one per region, built on first use and shared after that.
#[derive(Debug)]
struct PerRegion<C>(Mutex<HashMap<String, C>>);

impl<C> Default for PerRegion<C> {
    fn default() -> Self {
        PerRegion(Mutex::default())
    }
}

impl<C> PerRegion<C> {
    fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

impl<C: Clone> PerRegion<C> {
    fn get(&self, region: &str, build: impl FnOnce() -> C) -> C {
        let mut clients = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        clients
            .entry(region.to_owned())
            .or_insert_with(build)
            .clone()
    }
}

/// Client factory for one credential session (one account).
#[derive(Debug)]
pub struct Clients {
    config: SdkConfig,
    log: ApiCallLog,
    sts: PerRegion<aws_sdk_sts::Client>,
    ec2: PerRegion<aws_sdk_ec2::Client>,
    cloudtrail: PerRegion<aws_sdk_cloudtrail::Client>,
    kms: PerRegion<aws_sdk_kms::Client>,
    logs: PerRegion<aws_sdk_cloudwatchlogs::Client>,
    s3: PerRegion<aws_sdk_s3::Client>,
    s3control: PerRegion<aws_sdk_s3control::Client>,
    organizations: PerRegion<aws_sdk_organizations::Client>,
    config_service: PerRegion<aws_sdk_config::Client>,
    cloudwatch: PerRegion<aws_sdk_cloudwatch::Client>,
    sns: PerRegion<aws_sdk_sns::Client>,
}

macro_rules! client {
    ($method:ident, $krate:ident) => {
        pub fn $method(&self, region: &str) -> $krate::Client {
            self.$method.get(region, || {
                let config = $krate::config::Builder::from(&self.config)
                    .region(Region::new(region.to_owned()))
                    .interceptor(self.log.clone())
                    .interceptor(CompleteAnswers)
                    .build();
                $krate::Client::from_conf(config)
            })
        }
    };
}

impl Clients {
    /// Attempts per call (`--max-attempts`), the first included.
    /// The region of the caller's configuration (profile, `AWS_REGION`, `--region`), if any.
    pub fn configured_region(&self) -> Option<String> {
        self.config
            .region()
            .map(|region| region.as_ref().to_owned())
    }

    /// The log every call of these clients is recorded in.
    pub fn call_log(&self) -> &ApiCallLog {
        &self.log
    }

    pub fn max_attempts(&self) -> u32 {
        self.config
            .retry_config()
            .map_or(1, |retry| retry.max_attempts())
    }

    /// Drops the clients built so far; later calls build them again. An SDK client costs
    /// about 100 KiB (endpoint rules, runtime plugins), so an organization scan releases an
    /// account's clients once the account is done instead of keeping thousands alive.
    pub fn release(&self) {
        self.sts.clear();
        self.ec2.clear();
        self.cloudtrail.clear();
        self.kms.clear();
        self.logs.clear();
        self.s3.clear();
        self.s3control.clear();
        self.organizations.clear();
        self.config_service.clear();
        self.cloudwatch.clear();
        self.sns.clear();
    }

    /// Clients of another session (an assumed role): the same settings and call log, other
    /// credentials.
    pub fn with_credentials(
        &self,
        credentials: aws_credential_types::provider::SharedCredentialsProvider,
    ) -> Clients {
        let config = self
            .config
            .to_builder()
            .credentials_provider(credentials)
            .build();
        Clients::new(config, self.log.clone())
    }

    pub fn new(config: SdkConfig, log: ApiCallLog) -> Clients {
        Clients {
            config,
            log,
            sts: PerRegion::default(),
            ec2: PerRegion::default(),
            cloudtrail: PerRegion::default(),
            kms: PerRegion::default(),
            logs: PerRegion::default(),
            s3: PerRegion::default(),
            s3control: PerRegion::default(),
            organizations: PerRegion::default(),
            config_service: PerRegion::default(),
            cloudwatch: PerRegion::default(),
            sns: PerRegion::default(),
        }
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
    client!(organizations, aws_sdk_organizations);
    client!(config_service, aws_sdk_config);
    client!(cloudwatch, aws_sdk_cloudwatch);
    client!(sns, aws_sdk_sns);

    /// S3, with path-style addressing on a custom endpoint: bucket-named hosts
    /// (`bucket.127.0.0.1`) do not resolve on an AWS-compatible endpoint.
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.s3.get(region, || {
            let config = aws_sdk_s3::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .force_path_style(self.endpoint_url().is_some())
                .interceptor(self.log.clone())
                .interceptor(CompleteAnswers)
                .build();
            aws_sdk_s3::Client::from_conf(config)
        })
    }

    /// S3 Control. AWS's endpoint rules put the account id in the host name
    /// (`ACCOUNT.s3-control.REGION.amazonaws.com`); on a custom endpoint that host does not
    /// exist, so the endpoint is used as given.
    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        self.s3control.get(region, || {
            let mut builder = aws_sdk_s3control::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .interceptor(self.log.clone())
                .interceptor(CompleteAnswers);
            if let Some(url) = self.endpoint_url() {
                builder = builder.endpoint_resolver(FixedEndpoint(url.to_owned()));
            }
            aws_sdk_s3control::Client::from_conf(builder.build())
        })
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
