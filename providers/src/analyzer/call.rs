//! One provider call, guarded: the provider type's concurrency limit, the per-call timeout,
//! and panic isolation.

use std::any::Any;
use std::collections::HashMap;
use std::future::{Future, poll_fn};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

use super::options::AnalyzerOptions;
use crate::provider::ProviderError;

/// The limits every provider call runs under.
#[derive(Debug)]
pub(crate) struct Limits {
    /// One semaphore per limited provider type.
    semaphores: HashMap<String, Arc<Semaphore>>,
    /// The per-call timeout.
    timeout: Duration,
}

impl Limits {
    pub(crate) fn new(options: &AnalyzerOptions) -> Limits {
        let semaphores =
            options.concurrency.iter().map(|(ty, max)| (ty.clone(), Arc::new(Semaphore::new((*max).max(1))))).collect();
        Limits { semaphores, timeout: options.call_timeout }
    }

    /// A slot for a call to a provider of type `type_name`, waiting for one if the type is
    /// limited and all are taken (`None`: the type is unlimited). The slot is freed when the
    /// permit is dropped, even if the call panics.
    pub(crate) async fn acquire(&self, type_name: &str) -> Option<OwnedSemaphorePermit> {
        if self.semaphores.is_empty() {
            return None;
        }
        let semaphore = self.semaphores.get(type_name)?;
        // The semaphores are never closed.
        Arc::clone(semaphore).acquire_owned().await.ok()
    }

    /// Runs `call` to completion within the timeout, turning a timeout or a panic into the
    /// error recorded for it. On timeout the call's future is dropped (cancelled).
    ///
    /// The timer starts at the call's first poll and is only set up if the call does not
    /// complete then (a provider answering from memory costs no timer).
    pub(crate) async fn bounded<F: Future + Unpin>(&self, call: F) -> Result<F::Output, ProviderError> {
        let mut call = CatchUnwind(call);
        let mut timer: Option<Pin<Box<Sleep>>> = None;
        let result = poll_fn(|cx| {
            if let Poll::Ready(out) = Pin::new(&mut call).poll(cx) {
                return Poll::Ready(Some(out));
            }
            let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(self.timeout)));
            match timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match result {
            Some(Ok(out)) => Ok(out),
            Some(Err(panic)) => Err(ProviderError::Panicked(panic)),
            None => Err(ProviderError::Timeout(self.timeout)),
        }
    }
}

/// Runs a synchronous piece of provider code (a factory, `metadata`), turning a panic into
/// its message.
pub(crate) fn catch_sync<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(&*p))
}

/// A panic's message (`panic!` payloads are `&str` or `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// A future that catches a panic of its inner future's `poll` and completes with its
/// message. The inner future is dropped after the panic and never polled again.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut *inner).poll(cx))) {
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(&*payload))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(timeout: Duration) -> Limits {
        Limits::new(&AnalyzerOptions::default().with_call_timeout(timeout).with_concurrency_limit("Job", 0))
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_panic_and_success() {
        let l = limits(Duration::from_secs(5));
        assert_eq!(l.bounded(Box::pin(async { 7 })).await, Ok(7));
        let slow = Box::pin(async {
            tokio::time::sleep(Duration::from_secs(6)).await;
            1
        });
        assert_eq!(l.bounded(slow).await, Err(ProviderError::Timeout(Duration::from_secs(5))));
        let boom = Box::pin(async {
            if l.timeout > Duration::ZERO {
                panic!("kaboom {}", 1);
            }
            0
        });
        assert_eq!(l.bounded(boom).await, Err(ProviderError::Panicked("kaboom 1".into())));
        assert_eq!(catch_sync(|| -> u8 { std::panic::panic_any(5u8) }), Err("non-string panic payload".into()));
        assert_eq!(catch_sync(|| 3), Ok(3));
    }

    #[tokio::test]
    async fn limited_types_only() {
        let l = limits(Duration::from_secs(5));
        assert!(l.acquire("Web").await.is_none());
        // A limit of 0 means 1.
        let permit = l.acquire("Job").await;
        assert!(permit.is_some());
        assert_eq!(l.semaphores["Job"].available_permits(), 0);
        drop(permit);
        assert_eq!(l.semaphores["Job"].available_permits(), 1);
    }
}
