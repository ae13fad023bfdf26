//! Output hygiene: secrets never leave the process, and an interrupted run leaves nothing
//! half-written.

use crate::emulator::{block_on, seed, Moto, ACCOUNT};
use crate::verify::{served_keys, upload, Plan};
use std::path::Path;

/// Distinctive fake credentials: moto accepts any.
const ACCESS_KEY_ID: &str = "AKIATWSECRETCANARY01";
const SECRET_ACCESS_KEY: &str = "tWsEcReT/CanaryKey+DoNotLeak0123456789abc";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjTWCANARYSESSIONTOKEN//////////wEaCXVzLWVhc3QtMSJH";

/// Every file under `directory`, recursively, as (path, text).
fn files_under(directory: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(directory).expect("directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).expect("file");
            found.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    found
}

#[test]
fn credentials_session_tokens_and_signatures_never_reach_any_output() {
    let directory = tempfile::tempdir().expect("temp dir");
    let served = served_keys(directory.path());
    let moto = Moto::start(&[("TRAILWARDEN_PUBLIC_KEYS", served.to_str().expect("path"))]);
    let config = block_on(moto.config("us-east-1"));
    block_on(async {
        seed::bucket(&config, "canary-trail-logs").await;
        seed::trail(
            &config,
            seed::TrailSpec::multi_region("canary", "canary-trail-logs"),
        )
        .await;
        let chain = Plan::for_trail(
            "canary-trail-logs",
            ACCOUNT,
            "canary",
            chrono::Utc::now() - chrono::Duration::hours(3),
            2,
        )
        .make();
        upload(&config, &chain).await;
    });

    let out = directory.path().join("out");
    let snapshot = directory.path().join("snapshot.json");
    let run = |args: &[&str]| {
        // The most verbose logging: trailwarden's trace and the SDK's own debug logs.
        moto.trailwarden()
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .args(args)
            .arg("-vvv")
            .output()
            .expect("trailwarden runs")
    };
    let scan = run(&[
        "scan",
        "--regions",
        "us-east-1",
        "--verify-logs-window",
        "4h",
        "--snapshot",
        snapshot.to_str().expect("path"),
        "--format",
        "table,json,sarif,junit,csv,html,markdown",
        "--output-dir",
        out.to_str().expect("path"),
    ]);
    let verify = run(&[
        "verify-logs",
        "--trail",
        &format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/canary"),
        "--start",
        "4h",
        "-o",
        directory.path().join("verify.txt").to_str().expect("path"),
    ]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let mut outputs = files_under(directory.path());
    for (name, output) in [("scan", &scan), ("verify-logs", &verify)] {
        outputs.push((
            format!("{name} stdout"),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ));
        outputs.push((
            format!("{name} stderr"),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    // The run really wrote every report, the snapshot and verbose logs: the check has
    // material to look at.
    for format in <trailwarden::report::ReportFormat as clap::ValueEnum>::value_variants() {
        let report = format.file_name();
        assert!(out.join(report).is_file(), "{report} written");
    }
    let scan_log = String::from_utf8_lossy(&scan.stderr);
    assert!(scan_log.lines().count() > 50, "verbose logs: {scan_log}");
    assert!(
        std::fs::read_to_string(&snapshot)
            .expect("snapshot")
            .contains("\"log_integrity\""),
        "the snapshot holds the verification"
    );

    let secrets = [
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        SESSION_TOKEN,
        // Parts of a signed request or a presigned URL.
        "X-Amz-Signature",
        "X-Amz-Credential",
        "x-amz-security-token",
        "Signature=",
        "Credential=",
    ];
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        for secret in secrets {
            if text.to_lowercase().contains(&secret.to_lowercase()) {
                leaks.push(format!("{name} contains {secret}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
    assert!(outputs.len() > 12, "{} outputs checked", outputs.len());
}

#[test]
fn an_interrupted_scan_leaves_no_report_and_says_so() {
    // Every request takes 400 ms: the scan is still collecting when interrupted.
    let moto = Moto::start(&[("TRAILWARDEN_LATENCY_MS", "400")]);
    let config = block_on(moto.config("us-east-1"));
    block_on(async {
        seed::bucket(&config, "interrupted-logs").await;
        seed::trail(
            &config,
            seed::TrailSpec::multi_region("interrupted", "interrupted-logs"),
        )
        .await;
    });
    let directory = tempfile::tempdir().expect("temp dir");
    let out = directory.path().join("out");
    let child = moto
        .trailwarden_process()
        .args([
            "scan",
            "--regions",
            "us-east-1,eu-west-1",
            "--format",
            "json,html",
            "--output-dir",
            out.to_str().expect("path"),
            "--snapshot",
            directory
                .path()
                .join("snapshot.json")
                .to_str()
                .expect("path"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("scan starts");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success(), "the scan was still running");
    let output = child.wait_with_output().expect("scan ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    // Nothing was written: no report, no snapshot, no partial file.
    let left: Vec<_> = files_under(directory.path())
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
