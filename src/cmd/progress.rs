//! Progress bars for the long operations (`batch`, `check` of a folder,
//! reading last year's reports): indicatif on standard error with rate and
//! time left. indicatif draws only when standard error is a terminal, so
//! piped or redirected output (and the tests) get no progress text and no
//! escape codes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::time::Duration;

/// One bar; `tick` may be called from any thread.
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar over `total` files, labelled `what` (for example `检查`); none
    /// for a single file.
    pub fn new(total: usize, what: &str) -> Progress {
        let target = if total > 1 { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(Some(total as u64), target);
        let style = ProgressStyle::with_template("{msg} [{bar:25}] {pos}/{len} 份 {rate} 还需 {eta_precise}")
            .map(|s| {
                s.progress_chars("#>-").with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} 份/秒", state.per_sec());
                })
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        if !bar.is_hidden() {
            // Redraw while one slow file holds the count still.
            bar.enable_steady_tick(Duration::from_millis(250));
        }
        Progress(bar)
    }

    /// One more file done.
    pub fn tick(&self) {
        self.0.inc(1);
    }

    /// Run `f` (which prints to the terminal) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.0.suspend(f)
    }

    /// Remove the bar (what follows says how it went).
    pub fn clear(&self) {
        self.0.finish_and_clear();
    }
}
