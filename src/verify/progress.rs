//! The progress bar of `verify-logs`: objects verified out of objects known so far (the
//! total grows as listings and chain walks find more).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Drawn on standard error only when it is a terminal, `CI` is not `true` and tracing logs
/// are off, like the scan's.
#[derive(Debug, Default)]
pub struct Bar(Option<ProgressBar>);

impl Bar {
    pub fn for_terminal(verbose: bool) -> Bar {
        if !crate::progress::draws_on_stderr(verbose) {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed} verifying {pos}/{len} files {wide_bar}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(Some(bar))
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl super::run::Progress for Bar {
    fn add_total(&self, count: u64) {
        if let Some(bar) = &self.0 {
            bar.inc_length(count);
        }
    }

    fn done(&self, count: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(count);
        }
    }
}
