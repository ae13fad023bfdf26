//! Bytes out: standard output, or a file written atomically (a temporary
//! `.trailwarden-*.partial` beside it, renamed into place), staged files committed
//! together, and the partial files removed on interrupt. Reports, snapshots, generated docs,
//! the IAM policy and verify-logs results are all written here.

use std::io::Write;
use std::path::Path;

/// A file or standard output that could not be written: one line naming it and why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OutputError(String);

impl OutputError {
    pub fn new(message: impl Into<String>) -> OutputError {
        OutputError(message.into())
    }
}

/// Report files being written (`.trailwarden-*.partial`): an interrupted run removes them.
static PARTIAL_FILES: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

fn partial_files() -> std::sync::MutexGuard<'static, Vec<std::path::PathBuf>> {
    PARTIAL_FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes every report file still being written. Called when the run is interrupted
/// (Ctrl-C, SIGTERM), so that no half-written file is left behind; a file already renamed
/// into place is complete and stays.
pub fn remove_partial_files() {
    for path in partial_files().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// Writes `text` to standard output, or atomically to `path`: the file appears complete or
/// not at all (a temporary file in the same directory, renamed into place).
pub fn write(path: Option<&Path>, text: &str) -> Result<(), OutputError> {
    match path {
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A closed pipe (`| head`) is the reader's choice, not our failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => {
                    other.map_err(|e| OutputError(format!("cannot write to standard output: {e}")))
                }
            }
        }
        Some(path) => stage(path, text)?.commit(),
    }
}

/// A report written in full beside its destination, not yet in place: [`Staged::commit`]
/// renames it there; dropping it removes it. Several reports are staged one after the
/// other (each rendering freed once it is on disk) and committed together, so a run that
/// fails half-way leaves none of them, and memory holds one rendering at a time.
pub struct Staged {
    path: std::path::PathBuf,
    target: StagedTarget,
}

enum StagedTarget {
    /// A `.trailwarden-*.partial` file in the destination's directory.
    File(tempfile::NamedTempFile),
    /// A device, pipe or socket (`/dev/stdout`, a FIFO a CI step reads): it cannot be
    /// replaced by a rename, and must not be, so it is written to at commit.
    Device(Vec<u8>),
}

/// Writes `text` to a temporary file beside `path` (see [`Staged`]).
pub fn stage(path: &Path, text: &str) -> Result<Staged, OutputError> {
    stage_with(path, &mut |out| out.write_all(text.as_bytes()))
}

/// As [`stage`], with the report written by `write` straight into the file.
pub fn stage_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged, OutputError> {
    let fail = |e: &dyn std::fmt::Display| {
        OutputError(format!("cannot write report to {}: {e}", path.display()))
    };
    let staged = |target| Staged {
        path: path.to_path_buf(),
        target,
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(fail(&"it is a directory")),
        Ok(meta) if !meta.is_file() => {
            let mut text = Vec::new();
            write(&mut text).map_err(|e| fail(&e))?;
            return Ok(staged(StagedTarget::Device(text)));
        }
        _ => {}
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !directory.is_dir() {
        return Err(fail(&format_args!(
            "the directory {} does not exist",
            directory.display()
        )));
    }
    // Readable like any file the user creates (tempfile's default is owner-only); the name
    // only appears, complete, at the rename.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".trailwarden-").suffix(".partial");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    // tempfile names its temporary file (" at path …"): that name would only confuse, the
    // error is about `path`.
    let file = builder.tempfile_in(directory).map_err(|e| {
        let message = e.to_string();
        fail(&message.split(" at path ").next().unwrap_or(&message))
    })?;
    partial_files().push(file.path().to_path_buf());
    let staged = staged(StagedTarget::File(file));
    if let StagedTarget::File(file) = &staged.target {
        let mut handle = file.as_file();
        write(&mut handle)
            .and_then(|()| handle.sync_all())
            .map_err(|e| fail(&e))?;
    }
    Ok(staged)
}

impl Staged {
    /// Puts the report in place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let fail = |e: &dyn std::fmt::Display| {
            OutputError(format!(
                "cannot write report to {}: {e}",
                self.path.display()
            ))
        };
        let target = std::mem::replace(&mut self.target, StagedTarget::Device(Vec::new()));
        match target {
            StagedTarget::Device(text) => std::fs::OpenOptions::new()
                .write(true)
                .open(&self.path)
                .and_then(|mut device| {
                    device.write_all(&text)?;
                    device.flush()
                })
                .map_err(|e| fail(&e)),
            StagedTarget::File(file) => {
                let partial = file.path().to_path_buf();
                let persisted = file.persist(&self.path).map_err(|e| fail(&e.error));
                partial_files().retain(|p| *p != partial);
                persisted.map(|_| ())
            }
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Not committed: the temporary file removes itself; it is no longer ours to track.
        if let StagedTarget::File(file) = &self.target {
            let partial = file.path().to_path_buf();
            partial_files().retain(|p| *p != partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_reports_appear_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let listing = || {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        // Staged and dropped (a later report failed): nothing is left, not even a partial.
        let first = stage(&dir.path().join("a.json"), "{}").unwrap();
        let second = stage(&dir.path().join("b.csv"), "x").unwrap();
        assert_eq!(listing().len(), 2, "two partial files while staged");
        assert!(listing().iter().all(|n| n.ends_with(".partial")));
        drop((first, second));
        assert!(listing().is_empty(), "{:?}", listing());
        // Staged and committed: both in place, complete.
        let first = stage(&dir.path().join("a.json"), "{}").unwrap();
        let second = stage(&dir.path().join("b.csv"), "x").unwrap();
        first.commit().unwrap();
        second.commit().unwrap();
        assert_eq!(listing(), ["a.json", "b.csv"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b.csv")).unwrap(),
            "x"
        );
    }

    #[test]
    fn an_interruption_removes_the_files_being_written() {
        let directory = tempfile::tempdir().expect("temp dir");
        let partial = directory.path().join(".trailwarden-x.partial");
        std::fs::write(&partial, "half").expect("write");
        partial_files().push(partial.clone());
        let done = directory.path().join("report.json");
        write(Some(&done), "{}").expect("a complete write");
        remove_partial_files();
        assert!(!partial.exists(), "the file being written is removed");
        assert!(done.exists(), "a complete report stays");
        assert!(!partial_files().contains(&partial));
    }
}
