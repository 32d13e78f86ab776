//! One node-lite at a time per state directory: an advisory lock on `DIR/.lock`, held for the
//! whole command, with a bounded wait.
//!
//! redb already refuses a second open of `state.redb` ("Database already open"), but at once and
//! without saying who holds it; a command started while another runs (two terminals, a script
//! and an editor plugin) should rather wait a little and, if it must give up, name the holder.
//! The lock is the OS's (`File::try_lock`, flock on Unix): it is released when the process exits,
//! however it exits, so a crash never leaves the directory locked. The holder writes its pid into
//! the file for the message; a stale pid in it is harmless.

use super::{StateDirError, io_error};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// The lock file inside a state directory.
pub const LOCK_FILE: &str = ".lock";

/// How long a command waits for another node-lite to release a state directory, unless
/// [`LOCK_WAIT_ENV`] says otherwise.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

/// Environment variable overriding [`DEFAULT_LOCK_WAIT`], in milliseconds (0: do not wait).
pub const LOCK_WAIT_ENV: &str = "NODE_LITE_LOCK_WAIT_MS";

/// Pause between two attempts.
const RETRY_EVERY: Duration = Duration::from_millis(25);

/// A held lock on a state directory; released on drop (or when the process ends).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// The wait configured by [`LOCK_WAIT_ENV`], else [`DEFAULT_LOCK_WAIT`].
///
/// # Errors
/// [`StateDirError::BadEnv`] when the variable is set but is not a number of milliseconds.
pub fn configured_wait() -> Result<Duration, StateDirError> {
    match std::env::var(LOCK_WAIT_ENV) {
        Err(_) => Ok(DEFAULT_LOCK_WAIT),
        Ok(text) => text
            .trim()
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| StateDirError::BadEnv {
                name: LOCK_WAIT_ENV,
                value: text,
                expected: "a whole number of milliseconds",
            }),
    }
}

/// Take the lock of `dir` (an existing directory), waiting up to `wait` for another holder;
/// says once on stderr that it waits, and for whom.
///
/// # Errors
/// [`StateDirError::Busy`] when the wait ran out; [`StateDirError::Io`] when the lock file
/// cannot be opened or written.
pub fn lock(dir: &Path, wait: Duration) -> Result<DirLock, StateDirError> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_error(&path, e))?;
    let start = Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let holder = holder_pid(&mut file);
                if start.elapsed() >= wait {
                    return Err(StateDirError::Busy {
                        path: dir.display().to_string(),
                        holder,
                        waited: start.elapsed(),
                    });
                }
                if !said {
                    eprintln!(
                        "waiting for another node-lite{} using {} (up to {} ms; {LOCK_WAIT_ENV} sets it)",
                        holder.map(|p| format!(" (pid {p})")).unwrap_or_default(),
                        dir.display(),
                        wait.as_millis()
                    );
                    said = true;
                }
                std::thread::sleep(RETRY_EVERY);
            }
            Err(TryLockError::Error(e)) => return Err(io_error(&path, e)),
        }
    }
    let pid = std::process::id().to_string();
    let write = |file: &mut File| -> std::io::Result<()> {
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        file.write_all(pid.as_bytes())
    };
    write(&mut file).map_err(|e| io_error(&path, e))?;
    Ok(DirLock { _file: file })
}

/// The pid the current holder wrote, if readable.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), Duration::ZERO).unwrap();
        match lock(dir.path(), Duration::from_millis(60)) {
            Err(StateDirError::Busy { holder, waited, .. }) => {
                assert_eq!(holder, Some(std::process::id()));
                assert!(waited >= Duration::from_millis(60));
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(held);
        lock(dir.path(), Duration::ZERO).expect("free once released");
    }

    #[test]
    fn a_lock_released_during_the_wait_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), Duration::ZERO).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        lock(dir.path(), Duration::from_secs(10)).expect("taken after the release");
        release.join().unwrap();
    }
}
