//! Organization scans: an organization of seven accounts created through Organizations in the
//! emulator, scanned in one run through AssumeRole sessions.
//!
//! The emulator hides organization trails from member accounts (AWS shows them): the verdicts
//! asserted here come from the organization's membership, not from that visibility.

use crate::emulator::{block_on, finding, org, seed, status_of, Moto, ACCOUNT};
use serde_json::Value;
use std::collections::BTreeSet;

const HOME: &str = "us-east-1";
const EU: &str = "eu-west-1";
const ROLE: &str = "OrganizationAccountAccessRole";
const ORG_BUCKET: &str = "tw-org-archive";
const OUTSIDE_BUCKET: &str = "tw-outside-archive";

/// The emulator as the organization tests need it: AssumeRole only into roles that exist,
/// and no reading of another account's bucket without a grant.
pub(crate) fn start() -> Moto {
    Moto::start(&[
        ("TRAILWARDEN_ROLES_MUST_EXIST", "1"),
        ("MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS", "false"),
    ])
}

pub(crate) struct Organization {
    pub(crate) id: String,
    pub(crate) log_archive: String,
    pub(crate) covered_only: String,
    pub(crate) own_good: String,
    pub(crate) own_bad: String,
    pub(crate) unassumable: String,
    pub(crate) outside: String,
    pub(crate) suspended: String,
    pub(crate) org_trail: String,
    pub(crate) bad_trail: String,
    pub(crate) own_good_trail: String,
    pub(crate) archive_key: String,
    pub(crate) outside_key: String,
}

/// The management account (the emulator's default account) with an organization trail that
/// writes to a bucket of the log-archive account, and six member accounts:
/// - log-archive: owns the organization trail's bucket, private and access-logged;
/// - covered-only: no trail of its own;
/// - own-good: its own compliant multi-region trail and bucket;
/// - own-bad: a single-region, unvalidated trail writing to the bucket of `outside`;
/// - unassumable: created with another administrator role, so the scan role does not exist;
/// - outside: owns a bucket, but is excluded from the scan;
/// - suspended: closed.
pub(crate) async fn seed_organization(moto: &Moto) -> Organization {
    let management = moto.config(HOME).await;
    let id = org::create(&management).await;
    let log_archive = org::account(&management, "log-archive", ROLE).await;
    let covered_only = org::account(&management, "covered-only", ROLE).await;
    let own_good = org::account(&management, "own-good", ROLE).await;
    let own_bad = org::account(&management, "own-bad", ROLE).await;
    let unassumable = org::account(&management, "unassumable", "BreakGlassAdmin").await;
    let outside = org::account(&management, "outside", ROLE).await;
    let suspended = org::account(&management, "suspended", ROLE).await;
    org::close(&management, &suspended).await;
    org::delegate_cloudtrail(&management, &log_archive).await;

    // The emulator's CreateTrail wants the bucket in the trail's account: create it there,
    // then move it (delete and create again) to the account that really keeps it.
    // The organization trail's key is the log-archive account's, its log group the
    // management account's.
    let archive = moto.config_as(&log_archive, ROLE, HOME).await;
    let archive_key = seed::kms_key(&archive, true).await;
    let log_group = seed::log_group(&management, "/org/cloudtrail", 400).await;
    // The alarm's topic is kept by the log-archive account.
    seed::cis_alarm(&management, "/org/cloudtrail", &archive).await;
    seed::bucket(&management, ORG_BUCKET).await;
    let org_trail = seed::trail(
        &management,
        seed::TrailSpec {
            organization: true,
            kms_key: Some(&archive_key),
            log_group_arn: Some(&log_group),
            ..seed::TrailSpec::multi_region("org-trail", ORG_BUCKET)
        },
    )
    .await;
    seed::delete_bucket(&management, ORG_BUCKET).await;
    seed::bucket(&archive, "tw-archive-access").await;
    seed::acl(
        &archive,
        "tw-archive-access",
        aws_sdk_s3::types::BucketCannedAcl::from("log-delivery-write"),
    )
    .await;
    seed::bucket(&archive, ORG_BUCKET).await;
    seed::block_public_access(&archive, ORG_BUCKET).await;
    seed::access_logging(&archive, ORG_BUCKET, "tw-archive-access").await;

    let good = moto.config_as(&own_good, ROLE, HOME).await;
    seed::bucket(&good, "tw-own-good-logs").await;
    seed::block_public_access(&good, "tw-own-good-logs").await;
    let own_good_trail = seed::trail(
        &good,
        seed::TrailSpec::multi_region("own-trail", "tw-own-good-logs"),
    )
    .await;

    // own-bad's trail writes to a bucket and with a key of the excluded account.
    let outside_config = moto.config_as(&outside, ROLE, EU).await;
    let outside_key = seed::kms_key(&outside_config, true).await;
    let bad = moto.config_as(&own_bad, ROLE, EU).await;
    seed::bucket(&bad, OUTSIDE_BUCKET).await;
    let bad_trail = seed::trail(
        &bad,
        seed::TrailSpec {
            kms_key: Some(&outside_key),
            multi_region: false,
            validation: false,
            global_events: false,
            ..seed::TrailSpec::multi_region("regional", OUTSIDE_BUCKET)
        },
    )
    .await;
    seed::delete_bucket(&bad, OUTSIDE_BUCKET).await;
    seed::bucket(&outside_config, OUTSIDE_BUCKET).await;

    Organization {
        id,
        log_archive,
        covered_only,
        own_good,
        own_bad,
        unassumable,
        outside,
        suspended,
        org_trail,
        bad_trail,
        own_good_trail,
        archive_key,
        outside_key,
    }
}

fn message(report: &Value, rule: &str, resource: &str) -> String {
    finding(report, rule, resource)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Scans the seeded organization; returns (report, inventory).
fn scan_organization(moto: &Moto, estate: &Organization, extra: &[&str]) -> (Value, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("inventory.json");
    let mut args = vec![
        "scan",
        "--org",
        "--exclude-accounts",
        &estate.outside,
        "--regions",
        "us-east-1,eu-west-1",
        "--max-attempts",
        "1",
        "--format",
        "json",
        "--snapshot",
        snapshot.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = moto.run(&args);
    // Findings include FAILs and ERRORs: exit 3 (failures outrank incompleteness).
    assert_eq!(code, 3, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("snapshot"))
            .expect("snapshot JSON");
    (report, inventory)
}

#[test]
fn an_organization_is_scanned_in_one_run_with_org_trail_semantics() {
    let moto = start();
    let estate = block_on(seed_organization(&moto));
    let (report, inventory) = scan_organization(&moto, &estate, &[]);

    // Scope: every active account but the excluded one; the suspended one is listed.
    let scanned: BTreeSet<&str> = inventory["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        ACCOUNT,
        estate.log_archive.as_str(),
        estate.covered_only.as_str(),
        estate.own_good.as_str(),
        estate.own_bad.as_str(),
        estate.unassumable.as_str(),
    ]
    .into_iter()
    .collect();
    assert_eq!(scanned, expected);
    let skipped = inventory["skipped_accounts"].as_array().expect("skipped");
    let reason_of = |id: &str| {
        skipped
            .iter()
            .find(|s| s["id"] == id)
            .and_then(|s| s["reason"].as_str())
            .unwrap_or_else(|| panic!("{id} not listed as skipped: {skipped:?}"))
            .to_owned()
    };
    assert!(reason_of(&estate.suspended).contains("SUSPENDED"));
    assert!(reason_of(&estate.outside).contains("--exclude-accounts"));

    // Organization inventory.
    let organization = &inventory["organization"]["ok"];
    assert_eq!(organization["id"], estate.id.as_str());
    assert_eq!(organization["management_account_id"], ACCOUNT);
    assert_eq!(
        organization["accounts"].as_array().expect("accounts").len(),
        8
    );
    assert_eq!(
        organization["cloudtrail_delegated_administrators"]["ok"],
        serde_json::json!([estate.log_archive])
    );
    assert_eq!(
        organization["trusted_services"]["ok"],
        serde_json::json!(["cloudtrail.amazonaws.com"])
    );

    // A member that cannot see the organization trail is covered by it, and says so.
    assert_eq!(status_of(&report, "TW101", &estate.covered_only), "PASS");
    assert!(
        message(&report, "TW101", &estate.covered_only)
            .contains(&format!("organization trail of account {ACCOUNT}")),
        "{}",
        message(&report, "TW101", &estate.covered_only)
    );
    for account in [
        ACCOUNT,
        &estate.log_archive,
        &estate.own_good,
        &estate.own_bad,
    ]
    .map(|a| a.to_string())
    {
        let account = account.as_str();
        assert_eq!(status_of(&report, "TW101", account), "PASS", "{account}");
    }
    // Organization-level rules, and the forensic vault's log-archive rule.
    assert_eq!(status_of(&report, "TW105", &estate.id), "PASS");
    assert_eq!(status_of(&report, "TW106", &estate.id), "PASS");
    assert_eq!(status_of(&report, "TW203", &estate.org_trail), "PASS");
    assert_eq!(status_of(&report, "TW203", &estate.own_good_trail), "FAIL");

    // A member's own bad trail is still judged on its own.
    assert_eq!(status_of(&report, "TW102", &estate.bad_trail), "FAIL");
    assert_eq!(status_of(&report, "TW102", &estate.org_trail), "PASS");
    // CIS monitoring through the organization trail's log group in the management account,
    // its alarm notifying a topic of the log-archive account (read with that account's
    // session): a member is monitored for what the filter matches, and only that.
    let monitored = message(&report, "TW805", &estate.covered_only);
    assert_eq!(
        status_of(&report, "TW805", &estate.covered_only),
        "PASS",
        "{monitored}"
    );
    assert!(
        monitored.contains("organization trail")
            && monitored.contains(&format!(
                "arn:aws:sns:{HOME}:{}:cis-alarms",
                estate.log_archive
            )),
        "{monitored}"
    );
    assert_eq!(status_of(&report, "TW804", &estate.covered_only), "FAIL");

    // The account whose role cannot be assumed: the organization trail still covers it (a
    // fact of the management account), but whatever needs its own trails is ERROR, naming
    // why; and the scan went on for the others.
    assert_eq!(status_of(&report, "TW101", &estate.unassumable), "PASS");
    assert_eq!(status_of(&report, "TW104", &estate.unassumable), "ERROR");
    let why = message(&report, "TW104", &estate.unassumable);
    assert!(why.contains("sts:AssumeRole"), "{why}");
    assert!(
        why.contains(&format!("{}:role/{ROLE}", estate.unassumable)),
        "{why}"
    );

    // The organization trail's bucket lives in the log-archive account and was read there.
    let bucket = |name: &str| {
        inventory["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .find(|b| b["name"] == name)
            .unwrap_or_else(|| panic!("bucket {name} not collected"))
            .clone()
    };
    assert_eq!(
        bucket(ORG_BUCKET)["owner_account"],
        estate.log_archive.as_str()
    );
    let org_bucket_arn = format!("arn:aws:s3:::{ORG_BUCKET}");
    assert_eq!(status_of(&report, "TW201", &org_bucket_arn), "PASS");
    assert_eq!(status_of(&report, "TW202", &org_bucket_arn), "PASS");

    // A bucket of an account outside the scan is unreadable: ERROR with the reason, never FAIL.
    let outside_arn = format!("arn:aws:s3:::{OUTSIDE_BUCKET}");
    for rule in ["TW201", "TW202"] {
        assert_eq!(status_of(&report, rule, &outside_arn), "ERROR", "{rule}");
    }
    assert_eq!(status_of(&report, "TW501", &estate.bad_trail), "ERROR");
    // ... and, since an account of the scope could not be entered, that it may be its.
    let why = message(&report, "TW201", &outside_arn);
    assert!(why.contains("none of the"), "{why}");
    assert!(
        why.contains(&format!(
            "it may be one of 1 account(s) that could not be entered: {} (sts:AssumeRole failed)",
            estate.unassumable
        )),
        "{why}"
    );
    assert!(bucket(OUTSIDE_BUCKET)["owner_account"].is_null());

    // Reports: per-account sections in JSON, and the matrix and organization view in the table.
    let section = report["accounts"]
        .as_array()
        .expect("per-account sections")
        .iter()
        .find(|a| a["id"] == estate.own_bad.as_str())
        .expect("own-bad's section");
    assert_eq!(section["name"], "own-bad");
    assert_eq!(section["rules"]["TW102"], "FAIL");
    assert_eq!(section["rules"]["TW101"], "PASS");
    assert!(section["summary"]["fail"].as_u64().expect("fail count") >= 1);
    assert_eq!(report["organization"]["ok"]["id"], estate.id.as_str());
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("inventory.json");
    std::fs::write(&snapshot, inventory.to_string()).expect("write snapshot");
    let (_, table, stderr) = moto.run(&["evaluate", snapshot.to_str().expect("path")]);
    assert!(table.contains("Accounts × key controls"), "{stderr}{table}");
    assert!(
        table.contains(&format!("Org        {}", estate.id)),
        "{table}"
    );
    assert!(
        table.contains(&format!("Skipped    {} (suspended)", estate.suspended)),
        "{table}"
    );
    assert!(
        table.contains(&format!("No access  {}", estate.unassumable)),
        "{table}"
    );
    let matrix_row = table
        .lines()
        .find(|line| line.contains(&estate.own_bad))
        .expect("own-bad's row");
    assert!(matrix_row.contains("FAIL"), "{matrix_row}");

    // A key of the log-archive account is read there; one of an account outside the scan
    // cannot be read: ERROR, not FAIL.
    assert_eq!(status_of(&report, "TW401", &estate.org_trail), "PASS");
    assert_eq!(status_of(&report, "TW402", &estate.archive_key), "PASS");
    assert_eq!(status_of(&report, "TW402", &estate.outside_key), "ERROR");
    assert_eq!(status_of(&report, "TW401", &estate.bad_trail), "ERROR");
    assert!(
        message(&report, "TW402", &estate.outside_key).contains("not scanned"),
        "{}",
        message(&report, "TW402", &estate.outside_key)
    );
}

#[test]
fn accounts_can_be_named_and_roles_chosen() {
    let moto = start();
    let estate = block_on(seed_organization(&moto));
    // Only two accounts, one of them through a role named on the command line.
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("inventory.json");
    let accounts = format!("{},{}", estate.covered_only, estate.unassumable);
    let (code, _, stderr) = moto.run(&[
        "collect",
        "--accounts",
        &accounts,
        "--role-name",
        "BreakGlassAdmin",
        "--role-session-name",
        "audit-2026",
        "--regions",
        HOME,
        "-o",
        snapshot.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("snapshot")).expect("JSON");
    let session_error = |id: &str| {
        inventory["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .find(|a| a["id"] == id)
            .map(|a| a["session_error"].clone())
            .expect("account scanned")
    };
    // BreakGlassAdmin exists only in `unassumable`.
    assert!(session_error(&estate.unassumable).is_null());
    assert!(!session_error(&estate.covered_only).is_null());
    assert!(inventory["organization"].is_null());
    assert!(stderr.contains("2 account(s)"), "{stderr}");
}

#[test]
fn a_scope_that_cannot_be_resolved_is_a_clear_error() {
    let moto = start();
    // No organization exists: --org cannot list accounts.
    let (code, stdout, stderr) = moto.run(&["scan", "--org", "--regions", HOME]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("cannot list the organization's accounts"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    // Excluding every account leaves nothing to scan.
    let (code, _, stderr) = moto.run(&["scan", "--exclude-accounts", ACCOUNT, "--regions", HOME]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothing to scan"), "{stderr}");
    // A malformed account id is refused before any call.
    let (code, _, stderr) = moto.run(&["scan", "--accounts", "12345"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not an AWS account id"), "{stderr}");
}

#[test]
fn every_call_of_an_organization_scan_is_a_read_in_the_published_policy() {
    let moto = start();
    let estate = block_on(seed_organization(&moto));
    moto.clear_requests();
    let (_, inventory) = scan_organization(&moto, &estate, &[]);
    // Every permission the policy asks for is one this scan used: none is superfluous, and
    // the allowlist names each operation as the SDK does (a wrong name would be refused).
    let (called, allowed, on_the_wire) = moto.check_calls(&inventory);
    // The emulator has no CloudTrail Lake: ListEventDataStores is answered "not supported",
    // so no store is ever read (GetEventDataStore).
    // verify-logs' reads (digests, logs, public keys) are made only with --verify-logs-window
    // or by `verify-logs` (tests/it/verify.rs).
    let never_reachable = BTreeSet::from(
        [
            "cloudtrail:GetEventDataStore",
            "cloudtrail:ListPublicKeys",
            "s3:GetObject",
            "s3:ListBucket",
        ]
        .map(str::to_owned),
    );
    assert_eq!(
        allowed
            .difference(&called)
            .cloned()
            .collect::<BTreeSet<_>>(),
        never_reachable
    );
    assert!(called.is_subset(&allowed));
    // One session per account: one AssumeRole each for the five members scanned.
    let assumed = on_the_wire
        .iter()
        .filter(|r| r["action"] == "AssumeRole")
        .count();
    assert_eq!(assumed, 5);
}

#[test]
fn a_role_session_is_renewed_by_assuming_the_role_again() {
    use aws_credential_types::provider::ProvideCredentials;
    use trailwarden::scope::sessions::{AssumedRole, RoleSpec};

    let moto = start();
    let member = block_on(async {
        let management = moto.config(HOME).await;
        org::create(&management).await;
        org::account(&management, "renewed", ROLE).await
    });
    let assume_roles = || {
        moto.requests()
            .iter()
            .filter(|r| r["action"] == "AssumeRole")
            .count()
    };
    moto.clear_requests();
    block_on(async {
        let sts = aws_sdk_sts::Client::new(&moto.config(HOME).await);
        let role = RoleSpec {
            name: ROLE.into(),
            external_id: None,
            session_name: "renewal-test".into(),
        };
        let arn = role.arn("aws", &member);
        let session = AssumedRole::assume(sts, arn, &role)
            .await
            .expect("role assumed");
        assert_eq!(assume_roles(), 1);
        // The SDK's identity cache asks once: the credentials of the first AssumeRole.
        let first = session.provide_credentials().await.expect("credentials");
        assert_eq!(assume_roles(), 1);
        // It asks again when those are about to expire: a new AssumeRole, new credentials.
        let renewed = session.provide_credentials().await.expect("renewed");
        assert_eq!(assume_roles(), 2);
        assert_ne!(first.access_key_id(), renewed.access_key_id());
        assert!(renewed.expiry().is_some());
    });
}
