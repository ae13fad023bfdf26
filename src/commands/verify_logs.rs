//! `verify-logs`: prove one trail's logs over a window: the window, the key file, the
//! target, the run, the rendering and the exit code that says what was proved.

use super::{async_runtime, aws_options, AppError};
use crate::cli::{VerifyFormat, VerifyLogsArgs};
use crate::engine::ExitCode;
use crate::inventory::IntegrityOutcome;
use crate::verify::result::{Keys, Target, Window};

/// `verify-logs`: prove one trail's logs over a window; the exit code says what was proved.
pub(super) fn run(args: &VerifyLogsArgs, verbose: bool) -> Result<ExitCode, AppError> {
    let now = chrono::Utc::now();
    let window = Window {
        start: args.start.resolve(now),
        end: args.end.map_or(now, |end| end.resolve(now)),
    };
    if window.start >= window.end {
        return Err(AppError::Usage(format!(
            "--start {} is not before --end {}",
            window.start.format("%Y-%m-%dT%H:%M:%SZ"),
            window.end.format("%Y-%m-%dT%H:%M:%SZ")
        )));
    }
    let keys = match &args.public_keys {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                AppError::Usage(format!("cannot read --public-keys {}: {e}", path.display()))
            })?;
            let store = crate::verify::keys::KeyStore::from_json(&text)
                .map_err(|e| AppError::Usage(format!("--public-keys {}: {e}", path.display())))?;
            if store.is_empty() {
                return Err(AppError::Usage(format!(
                    "--public-keys {}: the file lists no keys",
                    path.display()
                )));
            }
            Keys::File(store)
        }
        None => Keys::CloudTrail,
    };
    let target = Target {
        trail: args.trail.clone(),
        account: args
            .account_id
            .clone()
            .unwrap_or_else(|| args.trail.account.clone()),
        bucket: args.s3_bucket.clone(),
        prefix: args.s3_prefix.clone(),
        organization_id: args.organization_id.clone(),
        source_regions: (!args.region.is_empty()).then(|| args.region.clone()),
    };
    let options = crate::aws::sdk_config::AwsOptions {
        region: Some(args.trail.home_region.clone()),
        ..aws_options(&args.connection)
    };
    let runtime = async_runtime()?;
    let progress = crate::progress::FileProgress::for_terminal(verbose);
    let verification = runtime.block_on(async {
        let config = crate::aws::sdk_config::sdk_config(&options).await;
        let clients = std::sync::Arc::new(crate::aws::clients::Clients::new(
            config,
            crate::aws::guard::ApiCallLog::default(),
        ));
        let store = crate::verify::store::Store::new(
            clients,
            &target.trail.home_region,
            args.max_concurrency as usize,
        );
        crate::verify::run::verify(&store, &target, window, &keys, &progress).await
    });
    progress.finish();
    let verification = verification?;
    let rendered = match args.format {
        VerifyFormat::Text => crate::verify::render::text(&verification, verbose),
        VerifyFormat::Json => crate::verify::render::json(&verification),
    };
    crate::output::write(args.output.as_deref(), &rendered)?;
    Ok(match verification.outcome() {
        IntegrityOutcome::Valid => ExitCode::Success,
        IntegrityOutcome::Invalid | IntegrityOutcome::NoDigests => ExitCode::Failures,
        IntegrityOutcome::Incomplete => ExitCode::Incomplete,
    })
}
