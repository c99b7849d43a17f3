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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::time::Instant;

/// The bursts of an analyzer's runs, by deadline.
///
/// The map is only consulted to join a burst (in the bookkeeping after a measurement, not
/// when starting one) and by the last member out. On the path from the deadline to a
/// provider call, a member touches only its own burst: an atomic flag to see it is due and
/// an atomic count to leave, so the runs of a burst do not queue on one lock at the moment
/// they all start.
#[derive(Debug, Default)]
pub(crate) struct Bursts {
    groups: Mutex<HashMap<Instant, Arc<Burst>>>,
}

/// The runs due at one deadline.
#[derive(Debug, Default)]
struct Burst {
    /// The deadline has come: the members were woken.
    fired: AtomicBool,
    /// Members that have not started their calls yet (or not left otherwise).
    pending: AtomicUsize,
    wakers: Mutex<Wakers>,
}

#[derive(Debug, Default)]
struct Wakers {
    /// Members waiting for the deadline.
    sleepers: Vec<Waker>,
    /// Members waiting for the others to start their calls.
    waiters: Vec<Waker>,
    /// Every member had left when the waiters were last released: nobody is left to wait for.
    over: bool,
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Burst {
    /// The deadline has come: wakes the members waiting for it.
    fn fire(&self) {
        let sleepers = {
            let mut wakers = lock(&self.wakers);
            self.fired.store(true, Ordering::Release);
            std::mem::take(&mut wakers.sleepers)
        };
        for waker in sleepers {
            waker.wake();
        }
    }
}

impl Bursts {
    /// Joins the burst of the runs due at `deadline`, setting its timer if it is the first.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, when the burst is new.
    pub(crate) fn join(self: &Arc<Self>, deadline: Instant) -> Member<'_> {
        let mut groups = lock(&self.groups);
        let mut new = false;
        let burst = groups.entry(deadline).or_insert_with(|| {
            new = true;
            Arc::default()
        });
        // Counted under the map's lock: the last member out removes the burst under it too.
        burst.pending.fetch_add(1, Ordering::AcqRel);
        let burst = Arc::clone(burst);
        drop(groups);
        if new {
            let timer = Timer { burst: Arc::clone(&burst) };
            tokio::spawn(async move {
                tokio::time::sleep_until(deadline).await;
                drop(timer);
            });
        }
        Member { bursts: self, deadline, burst, left: false }
    }

    /// Counts a member of `burst` out; the last one out ends the burst and wakes the members
    /// waiting for it. With a `waker` (the member started its calls and waits for the
    /// others), registers it if the burst has fired and is not over: `Pending` then.
    fn leave(&self, deadline: Instant, burst: &Arc<Burst>, waker: Option<&Waker>) -> Poll<()> {
        let before = burst.pending.fetch_sub(1, Ordering::AcqRel);
        if before > 1 {
            return match waker {
                Some(waker) if burst.fired.load(Ordering::Acquire) => wait_for_others(burst, waker),
                // Woken early (a notify, a terminate): the others are not due yet.
                _ => Poll::Ready(()),
            };
        }
        {
            let mut groups = lock(&self.groups);
            // A run may have joined since; then it ends the burst when it leaves.
            if burst.pending.load(Ordering::Acquire) == 0
                && groups.get(&deadline).is_some_and(|b| Arc::ptr_eq(b, burst))
            {
                groups.remove(&deadline);
            }
        }
        let waiters = {
            let mut wakers = lock(&burst.wakers);
            wakers.over = true;
            std::mem::take(&mut wakers.waiters)
        };
        for waker in waiters {
            waker.wake();
        }
        Poll::Ready(())
    }
}

/// Waits (registers `waker`) until the last member of `burst` has left.
fn wait_for_others(burst: &Burst, waker: &Waker) -> Poll<()> {
    let mut wakers = lock(&burst.wakers);
    if wakers.over {
        return Poll::Ready(());
    }
    register(&mut wakers.waiters, waker, burst.pending.load(Ordering::Relaxed));
    Poll::Pending
}

/// A burst's timer: fires the burst when dropped, at the deadline or, should its task be
/// dropped before (the runtime it was spawned on shut down while runs of another runtime sharing
/// the analyzer are in the burst), early: those runs then reconcile once more and join a burst
/// whose timer runs on their own runtime.
struct Timer {
    burst: Arc<Burst>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.burst.fire();
    }
}

/// A run's place in the burst of its deadline. Dropping it leaves the burst.
#[derive(Debug)]
pub(crate) struct Member<'a> {
    bursts: &'a Bursts,
    deadline: Instant,
    burst: Arc<Burst>,
    left: bool,
}

impl Member<'_> {
    /// Whether the deadline has come; if not, the task is woken when it does.
    pub(crate) fn poll_due(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.burst.fired.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut wakers = lock(&self.burst.wakers);
        // `fire` sets the flag under this lock: checked again, no wake-up is lost.
        if self.burst.fired.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        register(&mut wakers.sleepers, cx.waker(), self.burst.pending.load(Ordering::Relaxed));
        Poll::Pending
    }

    /// The run has started its calls and they have completed: leaves the burst and, if the
    /// deadline has come, waits until every other run of the burst has started its calls.
    pub(crate) async fn started(mut self) {
        self.left = true;
        let mut left = false;
        poll_fn(|cx| {
            if !std::mem::replace(&mut left, true) {
                return self.bursts.leave(self.deadline, &self.burst, Some(cx.waker()));
            }
            wait_for_others(&self.burst, cx.waker())
        })
        .await
    }
}

impl Drop for Member<'_> {
    fn drop(&mut self) {
        if !self.left {
            let _ = self.bursts.leave(self.deadline, &self.burst, None);
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
        assert!(lock(&bursts.groups).is_empty());
        // Before the deadline, nobody waits.
        let later = Instant::now() + Duration::from_secs(1);
        let (d, _e) = (bursts.join(later), bursts.join(later));
        d.started().await;
        assert_eq!(Instant::now(), deadline);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn thousands_of_members_on_two_workers_all_get_through() {
        let bursts = Arc::new(Bursts::default());
        let deadline = Instant::now() + Duration::from_millis(50);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5000 {
            let b = Arc::clone(&bursts);
            tasks.spawn(async move {
                let m = b.join(deadline);
                poll_fn(|cx| m.poll_due(cx)).await;
                assert!(Instant::now() >= deadline);
                m.started().await;
            });
        }
        let all = async {
            while let Some(done) = tasks.join_next().await {
                done.expect("member task");
            }
        };
        tokio::time::timeout(Duration::from_secs(20), all).await.expect("no member is left waiting");
        assert!(lock(&bursts.groups).is_empty());
    }
}
