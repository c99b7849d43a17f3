//! The caller's side of a run being driven: its status, and the requests it can make.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use augur_analysis_core::spec::AnalysisRun;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::burst::Member;

/// What a [`RunHandle`] asks of its run's loop: a terminate flag and a wake-up that is kept
/// when the loop is busy (like a `Notify` permit), without `Notify`'s waiter list: the loop is
/// the only waiter.
#[derive(Debug, Default)]
pub(crate) struct Control {
    /// `spec.terminate` was requested.
    terminate: AtomicBool,
    /// A wake-up is pending.
    woken: AtomicBool,
    /// The loop's waker while it waits.
    waker: Mutex<Option<Waker>>,
}

impl Control {
    pub(crate) fn terminate_requested(&self) -> bool {
        self.terminate.load(Ordering::Acquire)
    }

    /// Wakes the loop now, or at its next wait if it is busy.
    fn wake(&self) {
        self.woken.store(true, Ordering::Release);
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Takes the pending wake-up, if any: the reconcile about to start serves it.
    pub(crate) fn take_wake(&self) -> bool {
        self.woken.swap(false, Ordering::AcqRel)
    }

    /// Waits for a wake-up (returns at once if one came while the loop was busy; the wake-up
    /// stays pending, see [`Control::take_wake`]) or for the timer of the burst the run is a
    /// `member` of to have fired, whichever comes first.
    pub(crate) async fn wait<T>(&self, member: Option<&Member<T>>) {
        poll_fn(|cx| {
            if self.woken.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            {
                let mut waker = self.waker.lock().unwrap_or_else(|e| e.into_inner());
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
            }
            // A wake-up between the first check and the registration.
            if self.woken.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            match member.map(|m| m.poll_fired(cx)) {
                Some(Poll::Ready(())) => Poll::Ready(()),
                _ => Poll::Pending,
            }
        })
        .await
    }
}

/// A run being driven by an [`Analyzer`](super::Analyzer).
///
/// Dropping the handle does not stop the run: it goes on until it completes (use
/// [`RunHandle::abort`] to stop driving it). A run that waits for a [`RunHandle::notify`] (an
/// in-flight measurement without `resumeAt`) waits for ever once its handle is dropped.
#[derive(Debug)]
pub struct RunHandle {
    control: Arc<Control>,
    status: watch::Receiver<AnalysisRun>,
    task: JoinHandle<()>,
}

impl RunHandle {
    pub(crate) fn new(control: Arc<Control>, status: watch::Receiver<AnalysisRun>, task: JoinHandle<()>) -> RunHandle {
        RunHandle { control, status, task }
    }

    /// Terminates the run, as `kubectl argo rollouts terminate` (a merge patch setting
    /// `spec.terminate: true`) does: the loop wakes, measures nothing new, terminates in-flight
    /// measurements and completes the run (`Run Terminated`). Provider calls already in
    /// progress are not interrupted: the request takes effect when they return (or time out).
    pub fn terminate(&self) {
        self.control.terminate.store(true, Ordering::Release);
        self.control.wake();
    }

    /// Reconciles the run now, as a watch event does in Argo's controller (a Job the run owns
    /// completed, ...): an in-flight measurement without `resumeAt` is resumed only then.
    pub fn notify(&self) {
        self.control.wake();
    }

    /// The run as of its last reconcile: `borrow()` it, or `changed().await` to follow it. The
    /// sender closes when the loop ends.
    pub fn status(&self) -> watch::Receiver<AnalysisRun> {
        self.status.clone()
    }

    /// Waits for the loop to end and returns the final run: completed, or as last published if
    /// the run was aborted.
    pub async fn wait(&self) -> AnalysisRun {
        let mut status = self.status.clone();
        while status.changed().await.is_ok() {}
        status.borrow().clone()
    }

    /// Whether the loop has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops driving the run (the AnalysisRun was deleted): its loop and provider calls in
    /// progress are dropped; the status keeps its last value.
    pub fn abort(&self) {
        self.task.abort();
    }
}
