//! One local Job process: started, watched until it exits, its deadline passes or it is
//! terminated, with the tail of its output kept.
//!
//! The process leads a process group of its own, and the whole group is killed when it
//! ends — on the deadline, on terminate, and after a normal exit (leftover background
//! processes) — as the kubelet stops every process of a container. Output is read while the
//! process runs, keeping the last [`TAIL_BYTES`] of each stream, and reading stops shortly
//! after the process ended even if something still holds the pipes open.

use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::sync::{Notify, watch};

use super::command::LocalCommand;

/// How much of stdout and of stderr is kept: the last 4 KiB of each.
pub const TAIL_BYTES: usize = 4096;

/// How long output is still read after the process ended.
const DRAIN: Duration = Duration::from_millis(500);

/// How a local process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// It exited by itself (or was killed by a signal from elsewhere).
    Exited(ExitStatus),
    /// It ran longer than `activeDeadlineSeconds` and was killed.
    DeadlineExceeded(Duration),
    /// It was killed because the measurement was terminated.
    Terminated,
    /// Waiting for it failed.
    Lost(String),
}

/// A finished process: how it ended and the tails of its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// How it ended.
    pub ending: Ending,
    /// The last [`TAIL_BYTES`] of stdout (lossy UTF-8).
    pub stdout: String,
    /// The last [`TAIL_BYTES`] of stderr (lossy UTF-8).
    pub stderr: String,
}

/// A started process, watched by a task of its own.
#[derive(Debug, Clone)]
pub struct Process {
    finished: watch::Receiver<Option<Arc<Finished>>>,
    kill: Arc<Notify>,
}

impl Process {
    /// Starts `command` with `deadline` (`activeDeadlineSeconds`). Needs a tokio runtime.
    pub fn spawn(command: &LocalCommand, deadline: Option<Duration>) -> std::io::Result<Process> {
        let mut cmd = Command::new(&command.program);
        cmd.args(&command.args)
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &command.working_dir {
            cmd.current_dir(dir);
        }
        #[cfg(unix)]
        cmd.process_group(0);
        let child = cmd.spawn()?;
        let (tx, finished) = watch::channel(None);
        let kill = Arc::new(Notify::new());
        tokio::spawn(supervise(child, deadline, Arc::clone(&kill), tx));
        Ok(Process { finished, kill })
    }

    /// How it ended, if it has.
    pub fn finished(&self) -> Option<Arc<Finished>> {
        self.finished.borrow().clone()
    }

    /// Kills it (and its process group) and waits up to `wait` for it to be reaped.
    pub async fn kill(&self, wait: Duration) -> Option<Arc<Finished>> {
        self.kill.notify_one();
        let mut rx = self.finished.clone();
        let done = tokio::time::timeout(wait, rx.wait_for(Option::is_some)).await;
        done.ok().and_then(|r| r.ok().and_then(|f| f.clone()))
    }
}

async fn supervise(
    mut child: Child,
    deadline: Option<Duration>,
    kill: Arc<Notify>,
    finished: watch::Sender<Option<Arc<Finished>>>,
) {
    let stdout = Tail::read(child.stdout.take());
    let stderr = Tail::read(child.stderr.take());
    let group = child.id();
    let expired = async {
        match deadline {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let ending = tokio::select! {
        status = child.wait() => status.map_or_else(|e| Ending::Lost(e.to_string()), Ending::Exited),
        () = expired => Ending::DeadlineExceeded(deadline.unwrap_or_default()),
        () = kill.notified() => Ending::Terminated,
    };
    kill_group(group, &mut child);
    if matches!(ending, Ending::DeadlineExceeded(_) | Ending::Terminated) {
        // Reap the killed process; its ending is the deadline or the termination.
        let _ = child.wait().await;
    }
    let (stdout, stderr) = (stdout.collect().await, stderr.collect().await);
    // No receiver left only means nobody asks any more.
    let _ = finished.send(Some(Arc::new(Finished { ending, stdout, stderr })));
}

/// Kills the process group `group` leads (the process and whatever it started).
#[cfg(unix)]
fn kill_group(group: Option<u32>, child: &mut Child) {
    if let Some(pgid) = group.and_then(|g| libc::pid_t::try_from(g).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; it touches no
        // memory of ours. ESRCH (the group is gone) is fine.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    let _ = child.start_kill();
}

#[cfg(not(unix))]
fn kill_group(_group: Option<u32>, child: &mut Child) {
    let _ = child.start_kill();
}

/// The last [`TAIL_BYTES`] of a stream, read by a task of its own.
struct Tail {
    kept: Arc<Mutex<Vec<u8>>>,
    reader: Option<tokio::task::JoinHandle<()>>,
}

impl Tail {
    fn read(stream: Option<impl AsyncRead + Unpin + Send + 'static>) -> Tail {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let reader = stream.map(|mut stream| {
            let kept = Arc::clone(&kept);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                while let Ok(n @ 1..) = stream.read(&mut buf).await {
                    let mut kept = kept.lock().unwrap_or_else(|p| p.into_inner());
                    kept.extend_from_slice(&buf[..n]);
                    if kept.len() > 2 * TAIL_BYTES {
                        let cut = kept.len() - TAIL_BYTES;
                        kept.drain(..cut);
                    }
                }
            })
        });
        Tail { kept, reader }
    }

    /// What was read, after giving the reader [`DRAIN`] to reach the end of the stream.
    async fn collect(self) -> String {
        if let Some(mut reader) = self.reader
            && tokio::time::timeout(DRAIN, &mut reader).await.is_err()
        {
            reader.abort();
        }
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        tail_text(&kept)
    }
}

/// The last [`TAIL_BYTES`] of `bytes` as text, not starting inside a UTF-8 character.
fn tail_text(bytes: &[u8]) -> String {
    let mut tail = &bytes[bytes.len().saturating_sub(TAIL_BYTES)..];
    if tail.len() < bytes.len() {
        // Skip continuation bytes (10xxxxxx) of a character cut in two.
        let skip = tail.iter().take(3).take_while(|b| *b & 0xC0 == 0x80).count();
        tail = &tail[skip..];
    }
    String::from_utf8_lossy(tail).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_are_capped_at_character_boundaries() {
        assert_eq!(tail_text(b"short"), "short");
        let mut long = "x".repeat(10);
        long.push_str(&"é".repeat(TAIL_BYTES));
        let text = tail_text(long.as_bytes());
        assert!(text.len() <= TAIL_BYTES && text.len() >= TAIL_BYTES - 1, "{}", text.len());
        assert!(text.chars().all(|c| c == 'é'));
    }
}
