//! The SDK interceptor every client carries: the read-only guard and the call log.
//!
//! Before an operation is serialized (the first hook that sees the operation's metadata) it must be in the allowlist ([`super::permissions`]);
//! anything else fails on the spot, so a programming error can never write to an account.
//! Every operation, request (retries included) and failure is counted: the counts go into
//! the snapshot (`collection.api_calls`) and drive the progress display.

use super::permissions;
use crate::inventory::ApiCallCount;
use crate::progress::ScanProgress;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The guard's answer to an operation outside the allowlist. A typed error, so that
/// [`super::failure`] recognizes it in the SDK's error chain without reading messages.
#[derive(Debug, thiserror::Error)]
#[error("refused by trailwarden's read-only guard: {operation} is not in the read-only allowlist")]
pub struct ReadOnlyRefusal {
    /// `Service:Operation` as the SDK names it.
    pub operation: String,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    calls: u64,
    requests: u64,
    errors: u64,
}

/// Shared by every client of a scan (cloning shares the log).
#[derive(Debug, Clone, Default)]
pub struct ApiCallLog {
    counts: Arc<Mutex<BTreeMap<&'static str, Counts>>>,
    progress: ScanProgress,
}

impl ApiCallLog {
    pub fn new(progress: ScanProgress) -> Self {
        ApiCallLog {
            counts: Arc::default(),
            progress,
        }
    }

    /// The counts so far, per IAM action, sorted by action.
    pub fn snapshot(&self) -> Vec<ApiCallCount> {
        self.with_counts(|counts| {
            counts
                .iter()
                .map(|(action, c)| ApiCallCount {
                    action: (*action).to_owned(),
                    calls: c.calls,
                    requests: c.requests,
                    errors: c.errors,
                })
                .collect()
        })
    }

    fn with_counts<R>(&self, f: impl FnOnce(&mut BTreeMap<&'static str, Counts>) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update of plain counters.
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut counts)
    }

    /// Checks the operation against the allowlist and updates its counts.
    fn record(
        &self,
        cfg: &ConfigBag,
        update: impl FnOnce(&mut Counts),
    ) -> Result<&'static permissions::Permission, BoxError> {
        let permission = Self::permission(cfg)?;
        self.with_counts(|counts| update(counts.entry(permission.action).or_default()));
        Ok(permission)
    }

    fn permission(cfg: &ConfigBag) -> Result<&'static permissions::Permission, BoxError> {
        let Some(metadata) = cfg.load::<Metadata>() else {
            return Err(ReadOnlyRefusal {
                operation: "an operation without metadata".to_owned(),
            }
            .into());
        };
        permissions::lookup(metadata.service(), metadata.name()).ok_or_else(|| {
            ReadOnlyRefusal {
                operation: format!("{}:{}", metadata.service(), metadata.name()),
            }
            .into()
        })
    }
}

impl Intercept for ApiCallLog {
    fn name(&self) -> &'static str {
        "trailwarden::ApiCallLog"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let permission = self.record(cfg, |counts| counts.calls += 1)?;
        tracing::debug!(action = permission.action, "AWS call");
        self.progress.call_started();
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.record(cfg, |counts| counts.requests += 1)?;
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let failed = !matches!(context.output_or_error(), Some(Ok(_)));
        // A refused operation was never counted as started, so it is not counted here either.
        if self
            .record(cfg, |counts| counts.errors += u64::from(failed))
            .is_ok()
        {
            self.progress.call_finished();
        }
        Ok(())
    }
}
