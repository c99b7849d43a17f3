//! The runs' timers, shared per deadline, and "start first, record after" for the runs due
//! together.
//!
//! Argo's second-precision timestamps line runs up: thousands of runs whose last measurement
//! finished within the same second are all due on the same next second. So a run waiting for
//! its next reconcile does not set a timer of its own: it joins the [`Burst`] of its deadline,
//! and one timer per deadline (a small task sleeping until then) wakes every run of the burst.
//!
//! Once woken at the deadline, a run starts its provider calls and leaves the burst; if its
//! calls completed at once, it waits for the other runs of the burst to have started theirs
//! before recording. Reconciling each run in one go (prepare, call, record, publish) would start
//! the last run's call only after every other run's bookkeeping. Waiting is like calls that
//! took a few milliseconds longer: the engine's `now` for the bookkeeping is read after the
//! wait, as it is read after the calls.
//!
//! A run leaves its burst as soon as its calls are started (whether they completed or not), when
//! it has nothing to measure, or when it is dropped (aborted): no run ever waits for another
//! run's provider call, only for the other runs to get to theirs. A run woken before its
//! deadline (a notify, a terminate) leaves without waiting.

use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::time::Instant;

/// The bursts of an analyzer's runs, by deadline.
#[derive(Debug, Default)]
pub(crate) struct Bursts {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Numbers the bursts, so that a burst that ended is not mistaken for a later one with the
    /// same deadline.
    next_id: u64,
    groups: HashMap<Instant, Burst>,
}

/// The runs due at one deadline.
#[derive(Debug)]
struct Burst {
    id: u64,
    /// The deadline has come: the members were woken.
    fired: bool,
    /// Members that have not started their calls yet (or not left otherwise).
    pending: usize,
    /// Members waiting for the deadline.
    sleepers: Vec<Waker>,
    /// Members waiting for the others to start their calls.
    waiters: Vec<Waker>,
}

/// Registers `waker` in `wakers` (room for `members` of them) unless it is the last one
/// registered (a task polled again).
fn register(wakers: &mut Vec<Waker>, waker: &Waker, members: usize) {
    if !wakers.last().is_some_and(|w| w.will_wake(waker)) {
        if wakers.capacity() == 0 {
            wakers.reserve(members);
        }
        wakers.push(waker.clone());
    }
}

impl Bursts {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins the burst of the runs due at `deadline`, setting its timer if it is the first.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, when the burst is new.
    pub(crate) fn join(self: &Arc<Self>, deadline: Instant) -> Member<'_> {
        let mut inner = self.lock();
        let Inner { next_id, groups } = &mut *inner;
        let mut new = false;
        let burst = groups.entry(deadline).or_insert_with(|| {
            *next_id += 1;
            new = true;
            Burst { id: *next_id, fired: false, pending: 0, sleepers: Vec::new(), waiters: Vec::new() }
        });
        burst.pending += 1;
        let id = burst.id;
        drop(inner);
        if new {
            let timer = Timer { bursts: Arc::clone(self), deadline, id };
            tokio::spawn(async move {
                tokio::time::sleep_until(timer.deadline).await;
                drop(timer);
            });
        }
        Member { bursts: self, deadline, id, left: false }
    }

    /// The deadline of burst `id` has come: wakes its members.
    fn fire(&self, deadline: Instant, id: u64) {
        let sleepers = {
            let mut inner = self.lock();
            // Every member may have left already (woken early, aborted).
            let Some(burst) = inner.groups.get_mut(&deadline).filter(|b| b.id == id) else { return };
            burst.fired = true;
            std::mem::take(&mut burst.sleepers)
        };
        for waker in sleepers {
            waker.wake();
        }
    }

    /// Counts a member out; the last one out wakes the members waiting for it. With a `waker`
    /// (the member started its calls and waits for the others), registers it if the burst has
    /// fired and is not over: `Pending` then.
    fn leave(&self, deadline: Instant, id: u64, waker: Option<&Waker>) -> Poll<()> {
        let waiters = {
            let mut inner = self.lock();
            let Some(burst) = inner.groups.get_mut(&deadline).filter(|b| b.id == id) else { return Poll::Ready(()) };
            burst.pending -= 1;
            if burst.pending > 0 {
                return match waker {
                    Some(waker) if burst.fired => {
                        register(&mut burst.waiters, waker, burst.pending);
                        Poll::Pending
                    }
                    // Woken early (a notify, a terminate): the others are not due yet.
                    _ => Poll::Ready(()),
                };
            }
            inner.groups.remove(&deadline).map(|b| b.waiters).unwrap_or_default()
        };
        for waker in waiters {
            waker.wake();
        }
        Poll::Ready(())
    }
}

/// A burst's timer: fires the burst when dropped, at the deadline or, should its task be
/// dropped before (the runtime it was spawned on shut down while runs of another runtime sharing
/// the analyzer are in the burst), early: those runs then reconcile once more and join a burst
/// whose timer runs on their own runtime.
struct Timer {
    bursts: Arc<Bursts>,
    deadline: Instant,
    id: u64,
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.bursts.fire(self.deadline, self.id);
    }
}

/// A run's place in the burst of its deadline. Dropping it leaves the burst.
#[derive(Debug)]
pub(crate) struct Member<'a> {
    bursts: &'a Bursts,
    deadline: Instant,
    id: u64,
    left: bool,
}

impl Member<'_> {
    /// Whether the deadline has come; if not, the task is woken when it does.
    pub(crate) fn poll_due(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.bursts.lock();
        match inner.groups.get_mut(&self.deadline).filter(|b| b.id == self.id) {
            Some(burst) if !burst.fired => {
                register(&mut burst.sleepers, cx.waker(), burst.pending);
                Poll::Pending
            }
            // A member is counted until it leaves: its burst is there.
            _ => Poll::Ready(()),
        }
    }

    /// The run has started its calls and they have completed: leaves the burst and, if the
    /// deadline has come, waits until every other run of the burst has started its calls.
    pub(crate) async fn started(mut self) {
        self.left = true;
        let (bursts, deadline, id) = (self.bursts, self.deadline, self.id);
        let mut left = false;
        poll_fn(|cx| {
            if !std::mem::replace(&mut left, true) {
                return bursts.leave(deadline, id, Some(cx.waker()));
            }
            let mut inner = bursts.lock();
            match inner.groups.get_mut(&deadline).filter(|b| b.id == id) {
                Some(burst) => {
                    register(&mut burst.waiters, cx.waker(), burst.pending);
                    Poll::Pending
                }
                None => Poll::Ready(()),
            }
        })
        .await
    }
}

impl Drop for Member<'_> {
    fn drop(&mut self) {
        if !self.left {
            let _ = self.bursts.leave(self.deadline, self.id, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::time::Duration;

    use super::*;

    fn poll<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[tokio::test(start_paused = true)]
    async fn one_timer_wakes_the_burst_and_the_last_to_start_releases_the_others() {
        let bursts = Arc::new(Bursts::default());
        let deadline = Instant::now() + Duration::from_secs(1);
        let (a, b, c) = (bursts.join(deadline), bursts.join(deadline), bursts.join(deadline));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(a.poll_due(&mut cx).is_pending());
        poll_fn(|cx| b.poll_due(cx)).await;
        assert_eq!(Instant::now(), deadline);
        assert!(a.poll_due(&mut cx).is_ready());
        // Dropped (aborted): counted out.
        drop(c);
        let mut a = Box::pin(a.started());
        assert!(poll(a.as_mut()).is_pending());
        b.started().await;
        assert!(poll(a.as_mut()).is_ready());
        assert!(bursts.lock().groups.is_empty());
        // Before the deadline, nobody waits.
        let later = Instant::now() + Duration::from_secs(1);
        let (d, _e) = (bursts.join(later), bursts.join(later));
        d.started().await;
        assert_eq!(Instant::now(), deadline);
    }
}
