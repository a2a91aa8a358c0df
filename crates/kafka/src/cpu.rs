//! The pipeline's threads: a fixed number of threads taking work from one queue.
//!
//! A thread that finishes a page starts the next one at once. Handing each page through the async
//! runtime instead (a permit released on a runtime thread, the next task woken, a blocking-pool thread
//! woken) makes every page wait for the scheduler to run the threads that pass it on, and with every core
//! busy that wait is a time slice: the pipeline threads stood idle a third of the time under a backlog.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// `threads` pipeline threads and their queue. The threads end when the pool is dropped.
pub(crate) struct CpuPool {
    queue: mpsc::Sender<Job>,
}

/// The work panicked; its message.
#[derive(Debug)]
pub(crate) struct Panicked(pub String);

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "panicked: {}", self.0)
    }
}

impl CpuPool {
    pub(crate) fn new(threads: usize) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..threads.max(1) {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("pipeline-{i}"))
                .spawn(move || {
                    loop {
                        // One thread waits on the queue at a time; the others work.
                        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(job) = next else { break };
                        job();
                    }
                })?;
        }
        Ok(Self { queue })
    }

    /// Runs `work` on a pool thread, after the work queued before it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Panicked> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(message));
        });
        self.queue
            .send(job)
            .map_err(|_| Panicked("the pipeline threads are gone".to_owned()))?;
        result
            .await
            .map_err(|_| Panicked("the pipeline thread ended before the work".to_owned()))?
            .map_err(Panicked)
    }
}

fn message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_work_and_survives_a_panic() {
        let pool = CpuPool::new(2).expect("threads");
        assert_eq!(pool.run(|| 40 + 2).await.expect("result"), 42);
        let err = pool
            .run(|| -> u8 { panic!("bad page") })
            .await
            .expect_err("a panic is an error");
        assert_eq!(err.to_string(), "panicked: bad page");
        // Both threads are still there: two pieces of work that wait for each other finish.
        let (a_tx, a_rx) = std::sync::mpsc::channel::<()>();
        let (b_tx, b_rx) = std::sync::mpsc::channel::<()>();
        let first = pool.run(move || {
            a_tx.send(()).ok();
            b_rx.recv().is_ok()
        });
        let second = pool.run(move || {
            b_tx.send(()).ok();
            a_rx.recv().is_ok()
        });
        let (first, second) = tokio::join!(first, second);
        assert!(first.expect("first") && second.expect("second"));
    }
}
