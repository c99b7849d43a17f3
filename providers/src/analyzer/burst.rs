//! The runs' timers, shared per deadline, and the provider calls the timer starts.
//!
//! Argo's second-precision timestamps line runs up: thousands of runs whose last measurement
//! finished within the same second are all due on the same next second. Waking thousands of
//! run loops at that second, each to work out what is due and start its calls, makes the last
//! run's call start only after every other run's bookkeeping: the start lag grows with the
//! number of runs due together, and most of it is memory traffic (each run's state is cold
//! by then).
//!
//! So a run waiting for its next reconcile does not set a timer of its own. Right after its
//! bookkeeping, while its state is still in cache, it works out what will be due at the
//! deadline (the engine's tasks depend only on the status, which does not change until then,
//! and on the time) and builds the future that makes those calls, unpolled. It joins the
//! [`Burst`] of its deadline with that future. One timer per deadline (a small task sleeping
//! until then) starts every member's calls by polling its future once, and only then wakes
//! the run loops: a call that completed at once hands its result to its loop, which records it;
//! a call still in progress is handed over as it is, and the loop drives it on.
//!
//! A run woken before the deadline (a notify, a terminate) takes its future back unpolled and
//! reconciles on its own, as does a run whose timer is dropped before the deadline (its
//! runtime shuts down). A run that is dropped (aborted) drops its future with it: the timer
//! never starts a call for a run that is gone.

use std::collections::HashMap;
use std::future::{Future, poll_fn};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::runtime::Handle;
use tokio::time::Instant;

/// Work prepared for a deadline: a future not polled yet, or in progress.
pub(crate) type Deferred<T> = Pin<Box<dyn Future<Output = T> + Send>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The bursts of an analyzer's runs, by deadline.
#[derive(Debug)]
pub(crate) struct Bursts<T> {
    groups: Mutex<HashMap<Instant, Arc<Burst<T>>>>,
}

impl<T> Default for Bursts<T> {
    fn default() -> Bursts<T> {
        Bursts { groups: Mutex::default() }
    }
}

/// The runs due at one deadline.
#[derive(Debug)]
struct Burst<T> {
    members: Mutex<Vec<Arc<Entry<T>>>>,
}

/// One run's place in a burst.
#[derive(Debug)]
struct Entry<T> {
    state: Mutex<State<T>>,
    /// The run loop's runtime: calls started by a timer of another runtime sharing the
    /// analyzer register their I/O and timers with the run's own.
    runtime: Handle,
}

#[derive(Debug)]
struct State<T> {
    work: Work<T>,
    /// The run loop, while it waits for the deadline.
    waker: Option<Waker>,
}

enum Work<T> {
    /// Waiting for the deadline, with the work to start then (`None`: nothing to start).
    Armed(Option<Deferred<T>>),
    /// Started by the timer and completed at once.
    Done(T),
    /// Started by the timer and still in progress.
    Started(Deferred<T>),
    /// Not started: the deadline came with nothing to start, the timer was dropped before the
    /// deadline, or starting panicked (the loop then reconciles on its own, in its own task).
    NotStarted,
    /// Taken by the loop, or the run was dropped.
    Taken,
}

impl<T> std::fmt::Debug for Work<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Work::Armed(_) => "Armed",
            Work::Done(_) => "Done",
            Work::Started(_) => "Started",
            Work::NotStarted => "NotStarted",
            Work::Taken => "Taken",
        })
    }
}

/// What a run finds when it takes its work back from the burst.
pub(crate) enum Taken<T> {
    /// The timer started the work and it completed.
    Done(T),
    /// The timer started the work; it is in progress: drive it on.
    Started(Deferred<T>),
    /// Nothing was started (woken before the deadline, or nothing was due): reconcile now.
    NotStarted,
}

impl<T: Send + 'static> Bursts<T> {
    /// Joins the burst of the runs due at `deadline` with the `work` to start then, setting the
    /// burst's timer if it is the first.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub(crate) fn join(self: &Arc<Self>, deadline: Instant, work: Option<Deferred<T>>) -> Member<T> {
        let entry = Arc::new(Entry {
            state: Mutex::new(State { work: Work::Armed(work), waker: None }),
            runtime: Handle::current(),
        });
        let mut groups = lock(&self.groups);
        let mut new = None;
        let burst = groups.entry(deadline).or_insert_with(|| {
            let burst = Arc::new(Burst { members: Mutex::new(Vec::new()) });
            new = Some(Arc::clone(&burst));
            burst
        });
        // Pushed under the map's lock: the timer takes the burst out of the map before it takes
        // the members, so it sees every member that found the burst there.
        lock(&burst.members).push(Arc::clone(&entry));
        drop(groups);
        if let Some(burst) = new {
            let timer = Timer { bursts: Arc::clone(self), deadline, burst };
            tokio::spawn(async move {
                tokio::time::sleep_until(deadline).await;
                timer.fire().await;
            });
        }
        Member { entry }
    }
}

/// A burst's timer: starts the members' work at the deadline. Dropped before (its runtime
/// shut down), it wakes the members without starting anything: they reconcile on their own.
struct Timer<T> {
    bursts: Arc<Bursts<T>>,
    deadline: Instant,
    burst: Arc<Burst<T>>,
}

impl<T> Timer<T> {
    /// Takes the burst out of the map (if it is still there) and its members out of it.
    fn members(&self) -> Vec<Arc<Entry<T>>> {
        {
            let mut groups = lock(&self.bursts.groups);
            if groups.get(&self.deadline).is_some_and(|b| Arc::ptr_eq(b, &self.burst)) {
                groups.remove(&self.deadline);
            }
        }
        std::mem::take(&mut *lock(&self.burst.members))
    }

    /// Starts every member's work, in chunks of [`CHUNK`] members, each chunk in a task of its
    /// own so that every worker takes part, then wakes the members. No member is woken before
    /// every call is started: a woken member records its result, and that would only delay the
    /// calls still to start.
    async fn fire(self)
    where
        T: Send + 'static,
    {
        let mut members = self.members().into_iter();
        let first: Vec<_> = members.by_ref().take(CHUNK).collect();
        let mut others = Vec::new();
        loop {
            let chunk: Vec<_> = members.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            others.push(tokio::spawn(start_all(chunk)));
        }
        let mut wakers = start_all(first).await;
        for other in others {
            // A chunk's task only fails if the runtime shuts down; its members are woken by
            // their own runtime's shutdown then.
            if let Ok(more) = other.await {
                wakers.extend(more);
            }
        }
        for waker in wakers {
            waker.wake();
        }
    }
}

/// How many members of a burst one task starts.
const CHUNK: usize = 512;

/// Starts the `members`' work; returns the wakers of those waiting for it.
async fn start_all<T>(members: Vec<Arc<Entry<T>>>) -> Vec<Waker> {
    poll_fn(|cx| Poll::Ready(members.iter().filter_map(|m| m.start(cx)).collect())).await
}

impl<T> Drop for Timer<T> {
    fn drop(&mut self) {
        // After `fire`, there is nobody left; before, nothing is started.
        for member in self.members() {
            let waker = {
                let mut state = lock(&member.state);
                if let Work::Armed(_) = state.work {
                    state.work = Work::NotStarted;
                }
                state.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

impl<T> Entry<T> {
    /// Starts the work, if the run still waits for it: polls it once (with `cx`, the timer's
    /// context: a future that is not done registers the timer's waker, and its loop's when it
    /// polls it next). Returns the loop's waker.
    fn start(&self, cx: &mut Context<'_>) -> Option<Waker> {
        let mut state = lock(&self.state);
        state.work = match std::mem::replace(&mut state.work, Work::Taken) {
            Work::Armed(None) => Work::NotStarted,
            Work::Armed(Some(mut work)) => {
                let _runtime = self.runtime.enter();
                // Outside tokio's cooperative budget: this task polls hundreds of members' work
                // once each, and with the task's budget spent, the tokio resources of later
                // members (a connection pool, a semaphore) would say "not yet" and their calls
                // would only start when their runs poll them.
                let polled = {
                    let mut once = std::pin::pin!(tokio::task::unconstrained(poll_fn(|cx| work.as_mut().poll(cx))));
                    panic::catch_unwind(AssertUnwindSafe(|| once.as_mut().poll(cx)))
                };
                match polled {
                    Ok(Poll::Ready(out)) => Work::Done(out),
                    Ok(Poll::Pending) => Work::Started(work),
                    Err(_) => Work::NotStarted,
                }
            }
            other => other,
        };
        state.waker.take()
    }
}

/// A run's place in the burst of its deadline. Dropping it drops the work if it was not
/// started.
#[derive(Debug)]
pub(crate) struct Member<T> {
    entry: Arc<Entry<T>>,
}

impl<T> Member<T> {
    /// Whether the timer has been at the work (started it, or found nothing to start); if not,
    /// the task is woken when it has.
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.entry.state);
        if !matches!(state.work, Work::Armed(_)) {
            return Poll::Ready(());
        }
        if !state.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            state.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Takes the work back: its result, the work in progress, or (not started) nothing.
    pub(crate) fn take(self) -> Taken<T> {
        let work = std::mem::replace(&mut lock(&self.entry.state).work, Work::Taken);
        match work {
            Work::Done(out) => Taken::Done(out),
            Work::Started(work) => Taken::Started(work),
            // Armed: woken before the deadline; dropping the work (never polled) undoes nothing.
            Work::Armed(_) | Work::NotStarted | Work::Taken => Taken::NotStarted,
        }
    }
}

impl<T> Drop for Member<T> {
    fn drop(&mut self) {
        let work = std::mem::replace(&mut lock(&self.entry.state).work, Work::Taken);
        // Dropped outside the lock: dropping a future runs its destructors.
        drop(work);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    fn counted(calls: &Arc<AtomicUsize>, value: u32) -> Deferred<u32> {
        let calls = Arc::clone(calls);
        Box::pin(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            value
        })
    }

    async fn fired(member: &Member<u32>) {
        poll_fn(|cx| member.poll_fired(cx)).await
    }

    #[tokio::test(start_paused = true)]
    async fn the_timer_starts_the_work_at_the_deadline_and_wakes_the_members() {
        let bursts = Arc::new(Bursts::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(1);
        let a = bursts.join(deadline, Some(counted(&calls, 1)));
        let b = bursts.join(deadline, None);
        let slow = bursts.join(
            deadline,
            Some(Box::pin(async {
                tokio::time::sleep(Duration::from_secs(2)).await;
                3
            })),
        );
        assert_eq!(lock(&bursts.groups).len(), 1);
        fired(&a).await;
        assert_eq!(Instant::now(), deadline);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(matches!(a.take(), Taken::Done(1)));
        assert!(matches!(b.take(), Taken::NotStarted));
        let Taken::Started(work) = slow.take() else { panic!("the slow work is in progress") };
        assert_eq!(work.await, 3);
        assert_eq!(Instant::now(), deadline + Duration::from_secs(2));
        assert!(lock(&bursts.groups).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn work_taken_back_or_dropped_before_the_deadline_is_never_started() {
        let bursts = Arc::new(Bursts::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(1);
        let early = bursts.join(deadline, Some(counted(&calls, 1)));
        let dropped = bursts.join(deadline, Some(counted(&calls, 2)));
        let last = bursts.join(deadline, Some(counted(&calls, 3)));
        assert!(matches!(early.take(), Taken::NotStarted));
        drop(dropped);
        fired(&last).await;
        assert!(matches!(last.take(), Taken::Done(3)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn every_member_starts_outside_the_cooperative_budget() {
        let bursts = Arc::new(Bursts::default());
        let deadline = Instant::now() + Duration::from_secs(1);
        // tokio's budget is 128 units per task poll: each member spends one.
        let members: Vec<_> = (0..CHUNK as u32)
            .map(|i| {
                let work: Deferred<u32> = Box::pin(async move {
                    tokio::task::consume_budget().await;
                    i
                });
                bursts.join(deadline, Some(work))
            })
            .collect();
        fired(&members[0]).await;
        for (i, member) in members.into_iter().enumerate() {
            assert!(matches!(member.take(), Taken::Done(v) if v as usize == i), "member {i} was not done");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_panic_while_starting_leaves_the_work_to_the_run() {
        let bursts = Arc::new(Bursts::<u32>::default());
        let deadline = Instant::now() + Duration::from_secs(1);
        let boom = bursts.join(deadline, Some(Box::pin(async { panic!("boom") })));
        let fine = bursts.join(deadline, Some(Box::pin(async { 2 })));
        fired(&boom).await;
        assert!(matches!(boom.take(), Taken::NotStarted));
        assert!(matches!(fine.take(), Taken::Done(2)));
    }

    #[test]
    fn a_timer_dropped_before_the_deadline_starts_nothing_and_wakes_the_members() {
        let bursts = Arc::new(Bursts::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let member = {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
            let _in = rt.enter();
            bursts.join(Instant::now() + Duration::from_secs(60), Some(counted(&calls, 1)))
            // The runtime shuts down here, dropping the timer's task.
        };
        assert!(matches!(member.take(), Taken::NotStarted));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert!(lock(&bursts.groups).is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn thousands_of_members_on_two_workers_all_get_their_result() {
        let bursts = Arc::new(Bursts::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_millis(50);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..5000 {
            let (bursts, calls) = (Arc::clone(&bursts), Arc::clone(&calls));
            tasks.spawn(async move {
                let member = bursts.join(deadline, Some(counted(&calls, i)));
                fired(&member).await;
                assert!(Instant::now() >= deadline);
                assert!(matches!(member.take(), Taken::Done(v) if v == i));
            });
        }
        let all = async {
            while let Some(done) = tasks.join_next().await {
                done.expect("member task");
            }
        };
        tokio::time::timeout(Duration::from_secs(20), all).await.expect("no member is left waiting");
        assert_eq!(calls.load(Ordering::SeqCst), 5000);
        assert!(lock(&bursts.groups).is_empty());
    }
}
