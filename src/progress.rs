//! ScanProgress on standard error: while a scan runs, accounts, regions and AWS calls
//! ([`ScanProgress`]); while `verify-logs` runs, files verified out of files known so far
//! ([`FileProgress`]: the total grows as listings and chain walks find more).
//!
//! Drawn only when standard error is a terminal and `CI` is not `true`, and not when tracing
//! logs are on (`-v`), so that piped output, CI logs and log lines stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Default)]
struct Counters {
    accounts_total: AtomicU64,
    accounts_done: AtomicU64,
    regions_total: AtomicU64,
    regions_done: AtomicU64,
    calls_started: AtomicU64,
    calls_finished: AtomicU64,
}

/// Whether a progress display belongs on standard error: a terminal, not CI, no tracing logs.
pub fn draws_on_stderr(verbose: bool) -> bool {
    let in_ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    !verbose && !in_ci && std::io::stderr().is_terminal()
}

/// Cheap to clone; every clone updates the same display.
#[derive(Debug, Clone, Default)]
pub struct ScanProgress {
    bar: Option<ProgressBar>,
    counters: Arc<Counters>,
}

impl ScanProgress {
    /// A display on standard error when appropriate (see the module docs), otherwise silent.
    pub fn for_terminal(verbose: bool) -> ScanProgress {
        if !draws_on_stderr(verbose) {
            return ScanProgress::default();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        ScanProgress {
            bar: Some(bar),
            counters: Arc::default(),
        }
    }

    pub fn add_accounts(&self, count: u64) {
        self.add(&self.counters.accounts_total, count);
    }

    pub fn account_done(&self) {
        self.add(&self.counters.accounts_done, 1);
    }

    pub fn add_regions(&self, count: u64) {
        self.add(&self.counters.regions_total, count);
    }

    pub fn region_done(&self) {
        self.add(&self.counters.regions_done, 1);
    }

    pub fn call_started(&self) {
        self.add(&self.counters.calls_started, 1);
    }

    pub fn call_finished(&self) {
        self.add(&self.counters.calls_finished, 1);
    }

    /// Removes the display (the report follows on standard output or in a file).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn add(&self, counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
        self.redraw();
    }

    fn redraw(&self) {
        let Some(bar) = &self.bar else { return };
        let c = &self.counters;
        let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
        let started = load(&c.calls_started);
        bar.set_message(format!(
            "accounts {}/{} · regions {}/{} · AWS calls {} ({} in flight)",
            load(&c.accounts_done),
            load(&c.accounts_total),
            load(&c.regions_done),
            load(&c.regions_total),
            started,
            started.saturating_sub(load(&c.calls_finished)),
        ));
    }
}

/// The `verify-logs` bar: drawn like [`ScanProgress`]; the default draws nothing.
#[derive(Debug, Default)]
pub struct FileProgress(Option<ProgressBar>);

impl FileProgress {
    pub fn for_terminal(verbose: bool) -> FileProgress {
        if !draws_on_stderr(verbose) {
            return FileProgress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed} verifying {pos}/{len} files {wide_bar}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        FileProgress(Some(bar))
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    /// More files to verify were found.
    pub fn add_total(&self, count: u64) {
        if let Some(bar) = &self.0 {
            bar.inc_length(count);
        }
    }

    /// Files verified.
    pub fn done(&self, count: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(count);
        }
    }
}
