//! The local AWS emulator for live tests: a moto server of the test's own on a free loopback
//! port (tests/support/moto_server.py, installed into `.venv` by scripts/test), AWS SDK
//! clients to seed it, and the real `trailwarden` binary pointed at it.

use assert_cmd::Command;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "123456789012";

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The virtualenv's Python: `TRAILWARDEN_TEST_PYTHON`, else `.venv/bin/python`.
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("TRAILWARDEN_TEST_PYTHON") {
        return PathBuf::from(path);
    }
    let path = repository().join(".venv/bin/python");
    assert!(
        path.exists(),
        "the live tests need moto in {}: run scripts/test, which installs it",
        path.display()
    );
    path
}

/// A free loopback port.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A plain HTTP GET on a loopback port (for the test servers' own endpoints); `None` until
/// the server listens, or when it does not answer 200.
fn http_get(port: u16, path: &str) -> Option<String> {
    http(port, "GET", path)
}

/// A plain HTTP request without a body on a loopback port; the body of a 200 answer.
fn http(port: u16, method: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    (head.split_whitespace().nth(1) == Some("200")).then(|| body.to_owned())
}

/// Waits up to a minute for a server on `port` to answer `path`.
fn wait_for(port: u16, path: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while http_get(port, path).is_none() {
        assert!(Instant::now() < deadline, "{what} did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A running moto server, stopped when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// Starts a server with these extra environment variables (moto's own, or the test
    /// middleware's `TRAILWARDEN_FAIL_REGIONS` / `TRAILWARDEN_LATENCY_MS`).
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let port = free_port();
        let mut command = std::process::Command::new(python());
        command
            .arg(repository().join("tests/support/moto_server.py"))
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("moto server starts");
        let moto = Moto { child, port };
        wait_for(port, "/moto-api/", "moto server");
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn get(&self, path: &str) -> Option<String> {
        http_get(self.port, path)
    }

    /// Seeds moto's random generator (moto's own `/moto-api/seed`): the account, organization
    /// and key ids it makes next are the same in every run.
    pub fn seed_random(&self, seed: u64) {
        http(self.port, "POST", &format!("/moto-api/seed?a={seed}")).expect("moto seeded");
    }

    /// Empties the request log (e.g. after seeding).
    pub fn clear_requests(&self) {
        self.get("/_trailwarden/requests/clear")
            .expect("request log cleared");
    }

    /// Every AWS request the server received, as the middleware recorded it.
    pub fn requests(&self) -> Vec<Value> {
        let body = self.get("/_trailwarden/requests").expect("request log");
        serde_json::from_str(&body).expect("request log is JSON")
    }

    /// SDK configuration for seeding, as the default account or through AssumeRole.
    pub async fn config(&self, region: &str) -> SdkConfig {
        let credentials = Credentials::new("testing", "testing", None, None, "tests");
        self.config_with(credentials, region).await
    }

    async fn config_with(&self, credentials: Credentials, region: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .credentials_provider(credentials)
            .region(Region::new(region.to_owned()))
            .endpoint_url(self.endpoint())
            .load()
            .await
    }

    /// SDK configuration acting in another account (moto keeps each account's state apart).
    pub async fn config_in_account(&self, account: &str, region: &str) -> SdkConfig {
        self.config_as(account, "seed", region).await
    }

    /// SDK configuration acting in `account` through the role `role` there.
    pub async fn config_as(&self, account: &str, role: &str, region: &str) -> SdkConfig {
        let sts = aws_sdk_sts::Client::new(&self.config(region).await);
        let assumed = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("seed")
            .send()
            .await
            .expect("assume role");
        let c = assumed.credentials().expect("credentials");
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "assumed",
        );
        self.config_with(credentials, region).await
    }

    /// The `trailwarden` binary with a scrubbed environment, test credentials and the emulator
    /// as endpoint.
    pub fn trailwarden(&self) -> Command {
        Command::from_std(self.trailwarden_process())
    }

    /// The same, as a plain process (to spawn it and signal it while it runs).
    pub fn trailwarden_process(&self) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("trailwarden"));
        command
            .env_clear()
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/nonexistent/trailwarden-test")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/trailwarden-test",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // The standard variable, as the AWS CLI honours it (tests that need the flag
            // pass --endpoint-url themselves).
            .env("AWS_ENDPOINT_URL", self.endpoint());
        command
    }
}

impl Moto {
    /// Runs trailwarden against this emulator; returns (exit code, stdout, stderr).
    /// A run that hangs (a deadlock) is killed after five minutes and fails the test.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_through(&self.endpoint(), args)
    }

    /// As [`Moto::run`], with every AWS call sent to `endpoint` (a proxy in front of it).
    pub fn run_through(&self, endpoint: &str, args: &[&str]) -> (i32, String, String) {
        let output = self
            .trailwarden()
            .env("AWS_ENDPOINT_URL", endpoint)
            .args(args)
            .timeout(Duration::from_secs(300))
            .output()
            .expect("trailwarden runs and ends within five minutes");
        (
            output.status.code().expect("exit code"),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Checks the AWS calls of a collection two ways: every action trailwarden logged is in
    /// the published policy (docs/iam-policy.json), and every request the emulator received
    /// is a read (or the AssumeRole that opens a session) that the log accounts for. Returns
    /// (the actions logged, the actions the policy allows, the requests seen).
    pub fn check_calls(
        &self,
        inventory: &Value,
    ) -> (
        std::collections::BTreeSet<String>,
        std::collections::BTreeSet<String>,
        Vec<Value>,
    ) {
        let policy: Value = serde_json::from_str(
            &std::fs::read_to_string(repository().join("docs/iam-policy.json"))
                .expect("docs/iam-policy.json"),
        )
        .expect("policy JSON");
        let allowed = policy["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect::<std::collections::BTreeSet<_>>();
        let calls = inventory["collection"]["api_calls"]
            .as_array()
            .expect("api calls recorded");
        let called = calls
            .iter()
            .filter_map(|c| c["action"].as_str().map(str::to_owned))
            .collect::<std::collections::BTreeSet<_>>();
        for action in &called {
            assert!(
                allowed.contains(action),
                "{action} is not in docs/iam-policy.json"
            );
        }
        let logged_requests: u64 = calls.iter().filter_map(|c| c["requests"].as_u64()).sum();
        let on_the_wire = self.requests();
        assert_eq!(on_the_wire.len() as u64, logged_requests);
        for request in &on_the_wire {
            let method = request["method"].as_str().unwrap_or_default();
            let service = request["service"].as_str().unwrap_or_default();
            let action = request["action"].as_str().unwrap_or_default();
            let read = if service == "s3" {
                method == "GET" || method == "HEAD"
            } else {
                ["Describe", "Get", "List"]
                    .iter()
                    .any(|p| action.starts_with(p))
                    || action == "AssumeRole"
            };
            assert!(read, "a request that is not a read: {request}");
        }
        (called, allowed, on_the_wire)
    }
}

/// The finding of `rule` on `resource` in a JSON report.
pub fn finding<'a>(report: &'a Value, rule: &str, resource: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == rule && f["resource"] == resource)
        .unwrap_or_else(|| panic!("no {rule} finding for {resource}: {report:#}"))
}

/// The status of that finding.
pub fn status_of(report: &Value, rule: &str, resource: &str) -> String {
    finding(report, rule, resource)["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The fault-injecting proxy (tests/support/fault_proxy.py) in front of a moto server,
/// stopped when dropped.
pub struct FaultProxy {
    child: Child,
    port: u16,
    _profile: tempfile::NamedTempFile,
}

impl FaultProxy {
    /// Starts a proxy to `moto` that injects the faults of `profile` (see fault_proxy.py).
    pub fn start(moto: &Moto, profile: &Value) -> FaultProxy {
        let mut file = tempfile::NamedTempFile::new().expect("profile file");
        serde_json::to_writer(&mut file, profile).expect("profile written");
        let port = free_port();
        let child = std::process::Command::new(python())
            .arg(repository().join("tests/support/fault_proxy.py"))
            .arg(port.to_string())
            .arg(moto.port.to_string())
            .arg(file.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("fault proxy starts");
        let proxy = FaultProxy {
            child,
            port,
            _profile: file,
        };
        wait_for(port, "/_faults/log", "fault proxy");
        proxy
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request the proxy saw: operation, region, attempt, max_attempts, invocation,
    /// fault (null when forwarded untouched).
    pub fn log(&self) -> Vec<Value> {
        let body = http_get(self.port, "/_faults/log").expect("fault log");
        serde_json::from_str(&body).expect("fault log is JSON")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `future` to completion on a fresh runtime (tests are synchronous; the binary is too).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// Seeding helpers, each one AWS call or a few, panicking on failure (it is test setup).
pub mod seed {
    use aws_config::SdkConfig;
    use aws_sdk_s3::types::{
        BucketCannedAcl, BucketLifecycleConfiguration, BucketLocationConstraint,
        BucketLoggingStatus, BucketVersioningStatus, CreateBucketConfiguration, ExpirationStatus,
        LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, LoggingEnabled,
        PublicAccessBlockConfiguration, VersioningConfiguration,
    };

    pub async fn bucket(config: &SdkConfig, name: &str) {
        let s3 = s3(config);
        let region = config.region().expect("region").as_ref().to_owned();
        let mut create = s3.create_bucket().bucket(name);
        if region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region.as_str()))
                    .build(),
            );
        }
        create.send().await.expect("create bucket");
    }

    pub async fn delete_bucket(config: &SdkConfig, name: &str) {
        s3(config)
            .delete_bucket()
            .bucket(name)
            .send()
            .await
            .expect("delete bucket");
    }

    pub fn s3(config: &SdkConfig) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(config)
                .force_path_style(true)
                .build(),
        )
    }

    pub async fn block_public_access(config: &SdkConfig, bucket: &str) {
        s3(config)
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .expect("put public access block");
    }

    pub async fn acl(config: &SdkConfig, bucket: &str, acl: BucketCannedAcl) {
        s3(config)
            .put_bucket_acl()
            .bucket(bucket)
            .acl(acl)
            .send()
            .await
            .expect("put bucket acl");
    }

    pub async fn access_logging(config: &SdkConfig, bucket: &str, target: &str) {
        s3(config)
            .put_bucket_logging()
            .bucket(bucket)
            .bucket_logging_status(
                BucketLoggingStatus::builder()
                    .logging_enabled(
                        LoggingEnabled::builder()
                            .target_bucket(target)
                            .target_prefix(format!("{bucket}/"))
                            .build()
                            .expect("logging"),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("put bucket logging");
    }

    pub async fn versioning(config: &SdkConfig, bucket: &str) {
        s3(config)
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("put bucket versioning");
    }

    pub async fn expire_after(config: &SdkConfig, bucket: &str, days: i32) {
        s3(config)
            .put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .rules(
                        LifecycleRule::builder()
                            .id("expire-logs")
                            .status(ExpirationStatus::Enabled)
                            .filter(LifecycleRuleFilter::builder().prefix("").build())
                            .expiration(LifecycleExpiration::builder().days(days).build())
                            .build()
                            .expect("rule"),
                    )
                    .build()
                    .expect("lifecycle"),
            )
            .send()
            .await
            .expect("put lifecycle");
    }

    /// A symmetric customer-managed key; returns its ARN.
    pub async fn kms_key(config: &SdkConfig, rotate: bool) -> String {
        let kms = aws_sdk_kms::Client::new(config);
        let key = kms.create_key().send().await.expect("create key");
        let metadata = key.key_metadata().expect("metadata");
        if rotate {
            kms.enable_key_rotation()
                .key_id(metadata.key_id())
                .send()
                .await
                .expect("enable rotation");
        }
        metadata.arn().expect("arn").to_owned()
    }

    /// The CIS CloudTrail-changes monitoring on a log group: metric filter (the CIS text),
    /// an alarm in the group's account on its metric, notifying a topic made with
    /// `topic_owner` (possibly another account). Returns the topic ARN.
    pub async fn cis_alarm(
        config: &SdkConfig,
        log_group_name: &str,
        topic_owner: &SdkConfig,
    ) -> String {
        let topic = subscribed_topic(topic_owner).await;
        filter_and_alarm(
            config,
            log_group_name,
            "CloudTrailChanges",
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || \
             ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || \
             ($.eventName = StopLogging) }",
            &topic,
        )
        .await;
        topic
    }

    /// The topic `cis-alarms` with an e-mail subscription (which the emulator confirms at
    /// once); returns its ARN.
    pub async fn subscribed_topic(config: &SdkConfig) -> String {
        let sns = aws_sdk_sns::Client::new(config);
        let topic = sns
            .create_topic()
            .name("cis-alarms")
            .send()
            .await
            .expect("create topic")
            .topic_arn()
            .expect("topic ARN")
            .to_owned();
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("email")
            .endpoint("security@example.com")
            .send()
            .await
            .expect("subscribe");
        topic
    }

    /// A metric filter `name` with `pattern`, publishing `metric` in `namespace` (value 1).
    pub async fn metric_filter(
        config: &SdkConfig,
        log_group_name: &str,
        name: &str,
        pattern: &str,
        (namespace, metric): (&str, &str),
    ) {
        aws_sdk_cloudwatchlogs::Client::new(config)
            .put_metric_filter()
            .log_group_name(log_group_name)
            .filter_name(name)
            .filter_pattern(pattern)
            .metric_transformations(
                aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                    .metric_name(metric)
                    .metric_namespace(namespace)
                    .metric_value("1")
                    .build()
                    .expect("transformation"),
            )
            .send()
            .await
            .expect("put metric filter");
    }

    /// A metric filter with `pattern` publishing `metric` (namespace CISBenchmark, value 1),
    /// and the CIS remediation's alarm on it, notifying `topic`.
    pub async fn filter_and_alarm(
        config: &SdkConfig,
        log_group_name: &str,
        metric: &str,
        pattern: &str,
        topic: &str,
    ) {
        metric_filter(
            config,
            log_group_name,
            metric,
            pattern,
            ("CISBenchmark", metric),
        )
        .await;
        aws_sdk_cloudwatch::Client::new(config)
            .put_metric_alarm()
            .alarm_name(metric)
            .metric_name(metric)
            .namespace("CISBenchmark")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(300)
            .threshold(1.0)
            .comparison_operator(
                aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanOrEqualToThreshold,
            )
            .evaluation_periods(1)
            .alarm_actions(topic)
            .send()
            .await
            .expect("put metric alarm");
    }

    /// A log group with a retention; returns the ARN CloudTrail expects (with `:*`).
    pub async fn log_group(config: &SdkConfig, name: &str, retention_days: i32) -> String {
        let logs = aws_sdk_cloudwatchlogs::Client::new(config);
        logs.create_log_group()
            .log_group_name(name)
            .send()
            .await
            .expect("create log group");
        logs.put_retention_policy()
            .log_group_name(name)
            .retention_in_days(retention_days)
            .send()
            .await
            .expect("put retention");
        let region = config.region().expect("region");
        format!(
            "arn:aws:logs:{region}:{}:log-group:{name}:*",
            super::ACCOUNT
        )
    }

    pub struct TrailSpec<'a> {
        pub name: &'a str,
        pub bucket: &'a str,
        pub multi_region: bool,
        pub validation: bool,
        pub global_events: bool,
        pub kms_key: Option<&'a str>,
        pub log_group_arn: Option<&'a str>,
        pub logging: bool,
        /// An organization trail (the config must be the management account's).
        pub organization: bool,
    }

    impl<'a> TrailSpec<'a> {
        /// A logging multi-region trail with validation and global service events, no key
        /// and no log group.
        pub fn multi_region(name: &'a str, bucket: &'a str) -> Self {
            TrailSpec {
                name,
                bucket,
                multi_region: true,
                validation: true,
                global_events: true,
                kms_key: None,
                log_group_arn: None,
                logging: true,
                organization: false,
            }
        }
    }

    /// Creates the trail in the config's region; returns its ARN.
    pub async fn trail(config: &SdkConfig, spec: TrailSpec<'_>) -> String {
        let cloudtrail = aws_sdk_cloudtrail::Client::new(config);
        let mut create = cloudtrail
            .create_trail()
            .name(spec.name)
            .s3_bucket_name(spec.bucket)
            .is_multi_region_trail(spec.multi_region)
            .enable_log_file_validation(spec.validation)
            .include_global_service_events(spec.global_events)
            .is_organization_trail(spec.organization);
        if let Some(key) = spec.kms_key {
            create = create.kms_key_id(key);
        }
        if let Some(group) = spec.log_group_arn {
            create = create
                .cloud_watch_logs_log_group_arn(group)
                .cloud_watch_logs_role_arn(format!(
                    "arn:aws:iam::{}:role/CloudTrail_CloudWatchLogs",
                    super::ACCOUNT
                ));
        }
        let created = create.send().await.expect("create trail");
        if spec.logging {
            cloudtrail
                .start_logging()
                .name(spec.name)
                .send()
                .await
                .expect("start logging");
        }
        created.trail_arn().expect("trail arn").to_owned()
    }
}

/// Seeding an organization: each helper one Organizations call, panicking on failure.
pub mod org {
    use aws_config::SdkConfig;
    use aws_sdk_organizations::types::OrganizationFeatureSet;
    use aws_sdk_organizations::Client;

    /// Creates the organization with the config's account as management account; its id.
    pub async fn create(management: &SdkConfig) -> String {
        let created = Client::new(management)
            .create_organization()
            .feature_set(OrganizationFeatureSet::All)
            .send()
            .await
            .expect("create organization");
        created
            .organization()
            .and_then(|o| o.id())
            .expect("organization id")
            .to_owned()
    }

    /// Creates a member account whose administrator role is `role`; its id.
    pub async fn account(management: &SdkConfig, name: &str, role: &str) -> String {
        let created = Client::new(management)
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .role_name(role)
            .send()
            .await
            .expect("create account");
        created
            .create_account_status()
            .and_then(|s| s.account_id())
            .expect("account id")
            .to_owned()
    }

    pub async fn close(management: &SdkConfig, account: &str) {
        Client::new(management)
            .close_account()
            .account_id(account)
            .send()
            .await
            .expect("close account");
    }

    /// Trusted access for CloudTrail and `account` as its delegated administrator.
    pub async fn delegate_cloudtrail(management: &SdkConfig, account: &str) {
        let client = Client::new(management);
        client
            .enable_aws_service_access()
            .service_principal("cloudtrail.amazonaws.com")
            .send()
            .await
            .expect("enable service access");
        client
            .register_delegated_administrator()
            .account_id(account)
            .service_principal("cloudtrail.amazonaws.com")
            .send()
            .await
            .expect("register delegated administrator");
    }
}
