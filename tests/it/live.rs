//! Live scans: the real `trailwarden` binary against a seeded local AWS emulator.

use crate::emulator::{block_on, finding, seed, status_of, Moto, ACCOUNT};
use aws_sdk_s3::types::BucketCannedAcl;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const HOME: &str = "us-east-1";
const EU: &str = "eu-west-1";
const AP: &str = "ap-southeast-2";
/// A region moto reports as not opted in: listed on the command line, it must be skipped.
const NOT_ENABLED: &str = "me-south-1";

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file written")).expect("JSON")
}

/// `(rule, resource) → status` of a JSON report.
fn statuses(report: &Value) -> std::collections::BTreeMap<(String, String), String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                (
                    f["rule"].as_str().unwrap_or_default().to_owned(),
                    f["resource"].as_str().unwrap_or_default().to_owned(),
                ),
                f["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

struct Estate {
    org_trail: String,
    eu_trail: String,
    rotated_key: String,
    unrotated_key: String,
    log_group: String,
}

/// A compliant multi-region trail and a non-compliant regional one, in three regions.
async fn seed_estate(moto: &Moto) -> Estate {
    let home = moto.config(HOME).await;
    let eu = moto.config(EU).await;
    seed::bucket(&home, "tw-access-logs").await;
    seed::acl(
        &home,
        "tw-access-logs",
        BucketCannedAcl::from("log-delivery-write"),
    )
    .await;
    seed::bucket(&home, "tw-good-logs").await;
    seed::block_public_access(&home, "tw-good-logs").await;
    seed::access_logging(&home, "tw-good-logs", "tw-access-logs").await;
    seed::versioning(&home, "tw-good-logs").await;
    seed::expire_after(&home, "tw-good-logs", 2600).await;
    seed::bucket(&eu, "tw-public-logs").await;
    seed::acl(&eu, "tw-public-logs", BucketCannedAcl::PublicRead).await;
    seed::expire_after(&eu, "tw-public-logs", 30).await;
    let rotated_key = seed::kms_key(&home, true).await;
    let unrotated_key = seed::kms_key(&eu, false).await;
    let log_group_arn = seed::log_group(&home, "/trailwarden/org-trail", 400).await;
    seed::cis_alarm(&home, "/trailwarden/org-trail", &home).await;
    let org_trail = seed::trail(
        &home,
        seed::TrailSpec {
            name: "org-wide",
            bucket: "tw-good-logs",
            multi_region: true,
            validation: true,
            global_events: true,
            kms_key: Some(&rotated_key),
            log_group_arn: Some(&log_group_arn),
            logging: true,
            organization: false,
        },
    )
    .await;
    let eu_trail = seed::trail(
        &eu,
        seed::TrailSpec {
            name: "eu-local",
            bucket: "tw-public-logs",
            multi_region: false,
            validation: false,
            global_events: false,
            kms_key: Some(&unrotated_key),
            log_group_arn: None,
            logging: true,
            organization: false,
        },
    )
    .await;
    Estate {
        org_trail,
        eu_trail,
        rotated_key,
        unrotated_key,
        log_group: log_group_arn.trim_end_matches(":*").to_owned(),
    }
}

#[test]
fn scan_finds_what_was_seeded_and_matches_collect_then_evaluate() {
    let moto = Moto::start(&[]);
    let estate = block_on(seed_estate(&moto));
    let dir = tempfile::tempdir().expect("tempdir");
    let regions = format!("{HOME},{EU},{AP},{NOT_ENABLED}");
    let reports = dir.path().join("reports");
    let scan_report = reports.join("trailwarden.json");
    let scan_snapshot = dir.path().join("scan-inventory.json");
    let endpoint = moto.endpoint();
    let (code, _, stderr) = moto.run(&[
        "scan",
        "--endpoint-url",
        &endpoint,
        "--regions",
        &regions,
        "--format",
        "json,sarif,junit,csv,html,markdown",
        "--output-dir",
        reports.to_str().expect("path"),
        "--snapshot",
        scan_snapshot.to_str().expect("path"),
    ]);
    assert_eq!(code, 3, "failures found, nothing incomplete: {stderr}");
    let scan = read_json(&scan_report);
    // One scan, every format.
    let sarif = read_json(&reports.join("trailwarden.sarif"));
    let failing = scan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "FAIL" || f["status"] == "ERROR")
        .count();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(failing)
    );
    for name in [
        "trailwarden.junit.xml",
        "trailwarden.csv",
        "trailwarden.html",
        "trailwarden.md",
    ] {
        let text = std::fs::read_to_string(reports.join(name)).expect("report written");
        assert!(
            text.contains("tw-public-logs"),
            "{name} names the public bucket"
        );
    }
    let inventory = read_json(&scan_snapshot);

    // What was seeded is what was found.
    assert_eq!(scan["snapshot"]["identity"]["account"], ACCOUNT);
    assert_eq!(status_of(&scan, "TW101", ACCOUNT), "PASS");
    assert_eq!(status_of(&scan, "TW102", &estate.org_trail), "PASS");
    assert_eq!(status_of(&scan, "TW102", &estate.eu_trail), "FAIL");
    assert_eq!(
        status_of(&scan, "TW201", "arn:aws:s3:::tw-good-logs"),
        "PASS"
    );
    assert_eq!(
        status_of(&scan, "TW201", "arn:aws:s3:::tw-public-logs"),
        "FAIL"
    );
    assert_eq!(
        status_of(&scan, "TW202", "arn:aws:s3:::tw-good-logs"),
        "PASS"
    );
    assert_eq!(
        status_of(&scan, "TW202", "arn:aws:s3:::tw-public-logs"),
        "FAIL"
    );
    assert_eq!(status_of(&scan, "TW402", &estate.rotated_key), "PASS");
    assert_eq!(status_of(&scan, "TW402", &estate.unrotated_key), "FAIL");
    assert_eq!(status_of(&scan, "TW502", &estate.log_group), "PASS");
    assert_eq!(status_of(&scan, "TW501", &estate.org_trail), "PASS");
    assert_eq!(status_of(&scan, "TW501", &estate.eu_trail), "FAIL");
    // Nothing is unknown but what the emulator cannot answer: CloudTrail Lake.
    let unknown: Vec<&Value> = scan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "ERROR")
        .collect();
    assert!(
        unknown
            .iter()
            .all(|f| ["TW601", "TW602"].contains(&f["rule"].as_str().unwrap_or_default())),
        "nothing else should be unknown: {unknown:#?}"
    );

    // A multi-region trail seen from every region is one trail, judged once.
    assert_eq!(inventory["trails"].as_array().expect("trails").len(), 2);
    let account = &inventory["accounts"][0];
    for region in [HOME, EU, AP] {
        let listed = account["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .find(|r| r["name"] == region)
            .unwrap_or_else(|| panic!("region {region} recorded"));
        assert!(
            listed["trails"]["ok"]
                .as_array()
                .expect("trails listed")
                .iter()
                .any(|arn| arn == estate.org_trail.as_str()),
            "{region} lists the multi-region trail"
        );
    }
    let tw102 = scan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "TW102")
        .count();
    assert_eq!(tw102, 2);

    // A region that is not enabled is skipped, not failed.
    let skipped = account["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["name"] == NOT_ENABLED)
        .expect("not-enabled region recorded");
    assert!(skipped["skipped"]
        .as_str()
        .is_some_and(|s| s.contains("not enabled")));

    // Offline evaluation of the scan's own snapshot gives the same findings.
    let offline_report = dir.path().join("offline.json");
    let (code, _, stderr) = moto.run(&[
        "evaluate",
        scan_snapshot.to_str().expect("path"),
        "--format",
        "json",
        "-o",
        offline_report.to_str().expect("path"),
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(read_json(&offline_report)["findings"], scan["findings"]);

    // A separate `collect` + `evaluate` sees the same estate the same way.
    let collected = dir.path().join("collected.json");
    let (code, _, stderr) = moto.run(&[
        "collect",
        "--regions",
        &regions,
        "-o",
        collected.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 trail(s)"), "{stderr}");
    let (_, stdout, stderr) = moto.run(&[
        "evaluate",
        collected.to_str().expect("path"),
        "--format",
        "json",
    ]);
    let evaluated: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    assert_eq!(statuses(&evaluated), statuses(&scan));
}

#[test]
fn every_call_of_a_scan_is_a_read_in_the_published_policy() {
    let moto = Moto::start(&[]);
    block_on(seed_estate(&moto));
    moto.clear_requests();
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("inventory.json");
    let (code, _, stderr) = moto.run(&[
        "collect",
        "--regions",
        &format!("{HOME},{EU}"),
        "-o",
        snapshot.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let inventory = read_json(&snapshot);
    let (called, allowed, _) = moto.check_calls(&inventory);
    // A single-account scan needs no organization calls and no AssumeRole; the organization
    // test checks that an organization scan uses every permission of the policy.
    // The emulator has no CloudTrail Lake: ListEventDataStores is answered "not supported",
    // so no store is ever read.
    // verify-logs reads digests and logs (tests/it/verify.rs): a plain scan does not.
    let multi_account_only = [
        "cloudtrail:GetEventDataStore",
        "cloudtrail:ListPublicKeys",
        "s3:GetObject",
        "s3:ListBucket",
        "organizations:DescribeOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
        "organizations:ListAccounts",
        "organizations:ListDelegatedAdministrators",
        "s3:ListAllMyBuckets",
        "sts:AssumeRole",
    ]
    .map(str::to_owned);
    assert_eq!(
        allowed
            .difference(&called)
            .cloned()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from(multi_account_only)
    );
    for call in inventory["collection"]["api_calls"]
        .as_array()
        .expect("calls")
    {
        assert_eq!(
            call["calls"], call["requests"],
            "no retries were needed: {call}"
        );
    }
}

#[test]
fn an_unreadable_bucket_in_another_account_is_an_error_and_the_rest_is_evaluated() {
    let moto = Moto::start(&[("MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS", "false")]);
    let trail = block_on(async {
        let home = moto.config(HOME).await;
        let archive = moto.config_in_account("222222222222", HOME).await;
        // moto only accepts a trail whose bucket is in the trail's own account (AWS accepts
        // any bucket whose policy lets CloudTrail write): create it here for the trail,
        // then move the name to the log-archive account.
        seed::bucket(&home, "tw-archive-logs").await;
        let trail = seed::trail(
            &home,
            seed::TrailSpec::multi_region("to-archive", "tw-archive-logs"),
        )
        .await;
        seed::delete_bucket(&home, "tw-archive-logs").await;
        seed::bucket(&archive, "tw-archive-logs").await;
        trail
    });
    // Gate on critical only: the medium FAIL (no KMS key) does not gate, the unknown does.
    let (code, stdout, stderr) = moto.run(&[
        "scan",
        "--regions",
        HOME,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(
        code, 4,
        "unknown results make the scan incomplete: {stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    let bucket = "arn:aws:s3:::tw-archive-logs";
    let public = finding(&report, "TW201", bucket);
    assert_eq!(public["status"], "ERROR");
    let message = public["message"].as_str().expect("message");
    assert!(
        message.contains("s3:GetBucketLocation") && message.contains("AccessDenied"),
        "the error names the operation and AWS's answer: {message}"
    );
    assert_eq!(status_of(&report, "TW202", bucket), "ERROR");
    // Everything that does not need the bucket is still evaluated.
    assert_eq!(status_of(&report, "TW101", ACCOUNT), "PASS");
    assert_eq!(status_of(&report, "TW102", &trail), "PASS");
    assert_eq!(status_of(&report, "TW401", &trail), "FAIL");
}

#[test]
fn a_readable_bucket_of_another_account_is_proved_not_the_trails_own() {
    // Cross-account reads allowed: the bucket answers without the owner condition.
    let moto = Moto::start(&[]);
    let trail = block_on(async {
        let home = moto.config(HOME).await;
        let archive = moto.config_in_account("222222222222", HOME).await;
        seed::bucket(&home, "tw-shared-archive").await;
        let trail = seed::trail(
            &home,
            seed::TrailSpec::multi_region("to-shared", "tw-shared-archive"),
        )
        .await;
        seed::delete_bucket(&home, "tw-shared-archive").await;
        seed::bucket(&archive, "tw-shared-archive").await;
        trail
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("inventory.json");
    let (_, stdout, stderr) = moto.run(&[
        "scan",
        "--regions",
        HOME,
        "--format",
        "json",
        "--snapshot",
        snapshot.to_str().expect("path"),
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let inventory = read_json(&snapshot);
    let bucket = &inventory["buckets"][0];
    assert_eq!(bucket["name"], "tw-shared-archive");
    assert!(bucket["owner_account"].is_null(), "{bucket}");
    assert_eq!(bucket["not_owned_by"], serde_json::json!([ACCOUNT]));
    assert_eq!(status_of(&report, "TW203", &trail), "PASS");
}

#[test]
fn a_region_whose_calls_fail_is_recorded_and_the_others_are_scanned() {
    let moto = Moto::start(&[("TRAILWARDEN_FAIL_REGIONS", AP)]);
    let trail = block_on(async {
        let home = moto.config(HOME).await;
        seed::bucket(&home, "tw-logs").await;
        seed::block_public_access(&home, "tw-logs").await;
        seed::trail(
            &home,
            seed::TrailSpec::multi_region("everywhere", "tw-logs"),
        )
        .await
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("inventory.json");
    let (code, stdout, stderr) = moto.run(&[
        "scan",
        "--regions",
        &format!("{HOME},{AP}"),
        "--max-attempts",
        "1",
        "--format",
        "json",
        "--snapshot",
        snapshot.to_str().expect("path"),
    ]);
    assert_ne!(code, 1, "a failing region never aborts the scan: {stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(status_of(&report, "TW101", ACCOUNT), "PASS");
    assert_eq!(status_of(&report, "TW102", &trail), "PASS");
    let inventory = read_json(&snapshot);
    let failed = inventory["accounts"][0]["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["name"] == AP)
        .expect("failing region recorded");
    assert_eq!(
        failed["trails"]["error"]["operation"],
        "cloudtrail:DescribeTrails"
    );
    assert_eq!(failed["trails"]["error"]["kind"], "failed");
}

#[test]
fn unreachable_credentials_are_one_clear_error() {
    // Nothing listens on this port: the identity call cannot succeed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let output = assert_cmd::Command::cargo_bin("trailwarden")
        .expect("binary")
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "scan",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--max-attempts",
            "1",
            "--connect-timeout",
            "1",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sts:GetCallerIdentity"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// A trail and bucket hardened as the forensic vault asks, seeded with the SDK as a user
/// would set them up, in the home region only.
async fn seed_vault(moto: &Moto) -> String {
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, InsightSelector, InsightType, Tag,
    };
    use aws_sdk_s3::types::{
        DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode,
        ObjectLockRule, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    };
    let home = moto.config(HOME).await;
    let trail_arn = format!("arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/vault");
    seed::bucket(&home, "tw-access-logs").await;
    seed::acl(
        &home,
        "tw-access-logs",
        BucketCannedAcl::from("log-delivery-write"),
    )
    .await;
    let s3 = seed::s3(&home);
    s3.create_bucket()
        .bucket("tw-vault")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .expect("create locked bucket");
    seed::versioning(&home, "tw-vault").await;
    s3.put_object_lock_configuration()
        .bucket("tw-vault")
        .object_lock_configuration(
            ObjectLockConfiguration::builder()
                .object_lock_enabled(ObjectLockEnabled::Enabled)
                .rule(
                    ObjectLockRule::builder()
                        .default_retention(
                            DefaultRetention::builder()
                                .mode(ObjectLockRetentionMode::Compliance)
                                .years(7)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("object lock");
    seed::block_public_access(&home, "tw-vault").await;
    seed::access_logging(&home, "tw-vault", "tw-access-logs").await;
    let kms = aws_sdk_kms::Client::new(&home);
    let key_policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudTrailEncrypt", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": &trail_arn}}}]});
    let key = kms
        .create_key()
        .policy(key_policy.to_string())
        .send()
        .await
        .expect("create key");
    let key_arn = key
        .key_metadata()
        .and_then(|m| m.arn())
        .expect("key arn")
        .to_owned();
    kms.enable_key_rotation()
        .key_id(&key_arn)
        .send()
        .await
        .expect("rotation");
    s3.put_bucket_encryption()
        .bucket("tw-vault")
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::AwsKms)
                                .kms_master_key_id(&key_arn)
                                .build()
                                .expect("default encryption"),
                        )
                        .build(),
                )
                .build()
                .expect("encryption"),
        )
        .send()
        .await
        .expect("put encryption");
    let bucket_policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::tw-vault",
         "Condition": {"StringEquals": {"aws:SourceArn": &trail_arn}}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::tw-vault/AWSLogs/{ACCOUNT}/*"),
         "Condition": {"StringEquals": {"aws:SourceArn": &trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::tw-vault", "arn:aws:s3:::tw-vault/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    s3.put_bucket_policy()
        .bucket("tw-vault")
        .policy(bucket_policy.to_string())
        .send()
        .await
        .expect("bucket policy");
    let logs = aws_sdk_cloudwatchlogs::Client::new(&home);
    logs.create_log_group()
        .log_group_name("/trailwarden/vault")
        .kms_key_id(&key_arn)
        .send()
        .await
        .expect("log group");
    logs.put_retention_policy()
        .log_group_name("/trailwarden/vault")
        .retention_in_days(400)
        .send()
        .await
        .expect("retention");
    let group_arn = format!("arn:aws:logs:{HOME}:{ACCOUNT}:log-group:/trailwarden/vault:*");
    let arn = seed::trail(
        &home,
        seed::TrailSpec {
            kms_key: Some(&key_arn),
            log_group_arn: Some(&group_arn),
            ..seed::TrailSpec::multi_region("vault", "tw-vault")
        },
    )
    .await;
    assert_eq!(arn, trail_arn);
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&home);
    let equals = |field: &str, value: &str| {
        AdvancedFieldSelector::builder()
            .field(field)
            .equals(value)
            .build()
            .expect("field selector")
    };
    let selector = |name: &str, fields: Vec<AdvancedFieldSelector>| {
        AdvancedEventSelector::builder()
            .name(name)
            .set_field_selectors(Some(fields))
            .build()
            .expect("selector")
    };
    let data = |name: &str, resource_type: &str| {
        selector(
            name,
            vec![
                equals("eventCategory", "Data"),
                equals("resources.type", resource_type),
            ],
        )
    };
    cloudtrail
        .put_event_selectors()
        .trail_name("vault")
        .advanced_event_selectors(selector(
            "Management events",
            vec![equals("eventCategory", "Management")],
        ))
        .advanced_event_selectors(data("S3 objects", "AWS::S3::Object"))
        .advanced_event_selectors(data("DynamoDB tables", "AWS::DynamoDB::Table"))
        .advanced_event_selectors(data("Lambda functions", "AWS::Lambda::Function"))
        .send()
        .await
        .expect("event selectors");
    cloudtrail
        .put_insight_selectors()
        .trail_name("vault")
        .insight_selectors(
            InsightSelector::builder()
                .insight_type(InsightType::ApiCallRateInsight)
                .build(),
        )
        .insight_selectors(
            InsightSelector::builder()
                .insight_type(InsightType::ApiErrorRateInsight)
                .build(),
        )
        .send()
        .await
        .expect("insights");
    cloudtrail
        .add_tags()
        .resource_id(&trail_arn)
        .tags_list(
            Tag::builder()
                .key("owner")
                .value("security")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("tags");
    let config = aws_sdk_config::Client::new(&home);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config"))
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("recorder");
    config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name("tw-access-logs")
                .build(),
        )
        .send()
        .await
        .expect("delivery channel");
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .expect("start recorder");
    seed_cis_monitoring(&home, "/trailwarden/vault").await;
    trail_arn
}

/// The CIS monitoring setup on `log_group`, made with the SDK the way the CIS remediation
/// does it: one metric filter per control (the CIS text from the corpus), an alarm on its
/// metric, and a topic with a (by the emulator, at once confirmed) e-mail subscription.
async fn seed_cis_monitoring(home: &aws_config::SdkConfig, log_group: &str) {
    let corpus = trailwarden::analysis::monitoring::corpus().expect("corpus");
    let topic = seed::subscribed_topic(home).await;
    // One filter per CIS control; where CIS changed between versions, the text that
    // satisfies every version (1.2 unauthorized calls, base sign-in, 5.0 security groups).
    let variants_covered_elsewhere = ["TW801", "TW823"];
    for control in corpus
        .controls
        .iter()
        .filter(|c| !variants_covered_elsewhere.contains(&c.rule.as_str()))
    {
        let metric = format!("{}Events", control.rule);
        seed::filter_and_alarm(home, log_group, &metric, &control.cis[0].0, &topic).await;
    }
}

#[test]
fn a_scan_of_the_emulator_covers_every_rule() {
    let moto = Moto::start(&[]);
    let trail = block_on(seed_vault(&moto));
    let (_, stdout, stderr) = moto.run(&["scan", "--regions", HOME, "--format", "json"]);
    let scan: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let (_, rules, _) = moto.run(&["rules", "list", "--format", "json"]);
    let rules: Value = serde_json::from_str(&rules).expect("rules JSON");
    let findings = scan["findings"].as_array().expect("findings");
    let vault = "arn:aws:s3:::tw-vault";
    for rule in rules.as_array().expect("rules") {
        let code = rule["code"].as_str().expect("code");
        let of_rule: Vec<&Value> = findings.iter().filter(|f| f["rule"] == code).collect();
        assert!(!of_rule.is_empty(), "{code} gave no finding");
        for finding in of_rule {
            if finding["status"] != "ERROR" {
                continue;
            }
            // The emulator has no CloudTrail Lake: the collector records "not supported",
            // and the Lake rules say ERROR, never FAIL or PASS.
            assert!(
                ["TW601", "TW602"].contains(&code)
                    && finding["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("not supported")),
                "only the Lake rules may be unknown here: {finding:#}"
            );
        }
    }
    for (code, resource) in [
        ("TW101", ACCOUNT),
        ("TW102", trail.as_str()),
        ("TW103", ACCOUNT),
        ("TW107", ACCOUNT),
        ("TW108", ACCOUNT),
        ("TW109", ACCOUNT),
        ("TW110", ACCOUNT),
        ("TW111", ACCOUNT),
        ("TW112", trail.as_str()),
        ("TW113", trail.as_str()),
        ("TW116", ACCOUNT),
        ("TW117", trail.as_str()),
        ("TW201", vault),
        ("TW202", vault),
        ("TW204", vault),
        ("TW206", vault),
        ("TW207", vault),
        ("TW208", vault),
        ("TW209", vault),
        ("TW210", vault),
        ("TW401", trail.as_str()),
        (
            "TW404",
            "arn:aws:logs:us-east-1:123456789012:log-group:/trailwarden/vault",
        ),
        ("TW501", trail.as_str()),
        (
            "TW502",
            "arn:aws:logs:us-east-1:123456789012:log-group:/trailwarden/vault",
        ),
        ("TW701", &format!("{ACCOUNT}/{HOME}")),
        ("TW801", ACCOUNT),
        ("TW802", ACCOUNT),
        ("TW803", ACCOUNT),
        ("TW804", ACCOUNT),
        ("TW805", ACCOUNT),
        ("TW806", ACCOUNT),
        ("TW807", ACCOUNT),
        ("TW808", ACCOUNT),
        ("TW809", ACCOUNT),
        ("TW810", ACCOUNT),
        ("TW811", ACCOUNT),
        ("TW812", ACCOUNT),
        ("TW813", ACCOUNT),
        ("TW814", ACCOUNT),
        ("TW815", ACCOUNT),
        ("TW821", ACCOUNT),
        ("TW822", ACCOUNT),
        ("TW823", ACCOUNT),
    ] {
        assert_eq!(
            status_of(&scan, code, resource),
            "PASS",
            "{code}: {:#}",
            finding(&scan, code, resource)
        );
    }
    // Alarm hygiene: the 16 alarms seeded, each judged once, all with enabled SNS actions.
    for code in ["TW816", "TW817"] {
        let of_rule: Vec<&Value> = findings.iter().filter(|f| f["rule"] == code).collect();
        assert_eq!(of_rule.len(), 16, "{code}: {of_rule:#?}");
        assert!(
            of_rule.iter().all(|f| f["status"] == "PASS"),
            "{code}: {of_rule:#?}"
        );
    }
    let key_finding = findings
        .iter()
        .find(|f| f["rule"] == "TW403")
        .expect("TW403 finding");
    assert_eq!(key_finding["status"], "PASS", "{key_finding:#}");
    let key = finding(&scan, "TW401", &trail)["evidence"].to_string();
    assert!(key.contains("CUSTOMER"), "{key}");
    // The emulator never reports MFA delete (docs/reference/moto.md): seen as off, so FAIL.
    assert_eq!(status_of(&scan, "TW205", vault), "FAIL");
}
