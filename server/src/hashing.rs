//! Password hashing off the request threads, in bounded memory.
//!
//! argon2id with OWASP's parameters needs 19 MiB of working memory per hash. Hashing on tokio's
//! blocking pool allocated that afresh on whichever of its (many) threads ran the hash, and each
//! thread's malloc arena kept what it had once held: a sign-in flood left the server hundreds of
//! megabytes larger for good. Here a fixed set of threads, one per core, each hashes in one
//! block of memory that it keeps while there is work and gives back after a few idle seconds.
//!
//! Work reaches them through a bounded queue. When it is full the request is answered at once
//! with 503 and `Retry-After` rather than waiting: that is what an operator of Keycloak knows
//! (`http-max-queued-requests` sheds excess load with 503), a person is told to try again in a
//! moment instead of watching a spinner, and a client hanging up before its turn costs no hash.

use app::{
    core::validate::Password,
    error::{AppError, Wording},
    server::{
        PasswordHasher,
        auth::password::{self as passwords, HashMemory},
    },
};
use async_trait::async_trait;
use flume::{Receiver, RecvTimeoutError, Sender, TrySendError};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::sync::oneshot;

/// Hashes each worker may have waiting for it. At 20–40 ms a hash, a full queue is about a
/// second of work: the longest a queued sign-in waits.
pub const QUEUE_PER_WORKER: usize = 32;
/// What a refused request is told to wait.
pub const RETRY_AFTER_SECS: u64 = 1;
/// A worker idle this long gives its memory back.
pub const KEEP_MEMORY: Duration = Duration::from_secs(5);

enum Work {
    Hash(Password),
    Verify(Password, Option<String>),
}

enum Done {
    Hashed(Result<String, AppError>),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Done>,
}

/// What the workers share.
struct Shared {
    queue: Receiver<Job>,
    /// Workers holding hash memory now.
    holding: AtomicUsize,
}

/// A fixed pool of hashing threads behind a bounded queue (see the module's comment).
pub struct HashWorkers {
    queue: Sender<Job>,
    shared: Arc<Shared>,
    workers: usize,
}

impl HashWorkers {
    /// One worker per core.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::with_workers(cores, cores * QUEUE_PER_WORKER, KEEP_MEMORY)
    }

    /// `workers` threads, at most `queue` hashes waiting, memory kept for `keep` when idle.
    /// The threads end once the pool is dropped and the queue is empty.
    pub fn with_workers(workers: usize, queue: usize, keep: Duration) -> Self {
        let workers = workers.max(1);
        let (sender, receiver) = flume::bounded(queue);
        let shared = Arc::new(Shared {
            queue: receiver,
            holding: AtomicUsize::new(0),
        });
        for i in 0..workers {
            let shared = shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&shared, keep));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        HashWorkers {
            queue: sender,
            shared,
            workers,
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// How many workers hold hash memory now (each [`HashMemory::bytes`]).
    pub fn holding_memory(&self) -> usize {
        self.shared.holding.load(Ordering::SeqCst)
    }

    async fn run(&self, work: Work) -> Result<Done, AppError> {
        let (reply, done) = oneshot::channel();
        match self.queue.try_send(Job { work, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("password hashing queue full; answering 503");
                return Err(AppError::unavailable(
                    Wording::new("busy"),
                    RETRY_AFTER_SECS,
                ));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(AppError::internal(&std::io::Error::other(
                    "no password hashing thread is running",
                )));
            }
        }
        done.await.map_err(|e| AppError::internal(&e))
    }
}

impl Default for HashWorkers {
    fn default() -> Self {
        Self::new()
    }
}

/// A worker's loop: take the next job, hash in the memory it keeps, and let the memory go when
/// nothing has come for `keep`.
fn work(shared: &Shared, keep: Duration) {
    let mut memory: Option<HashMemory> = None;
    loop {
        let next = if memory.is_some() {
            shared.queue.recv_timeout(keep)
        } else {
            shared
                .queue
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected)
        };
        let job = match next {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                memory = None;
                shared.holding.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Its requester has gone (the client hung up): nobody would read the answer.
        if job.reply.is_closed() {
            continue;
        }
        let memory = memory.get_or_insert_with(|| {
            shared.holding.fetch_add(1, Ordering::SeqCst);
            HashMemory::new()
        });
        let done = match job.work {
            Work::Hash(p) => Done::Hashed(passwords::hash_with(memory, p.expose())),
            Work::Verify(p, hash) => {
                Done::Verified(passwords::verify_with(memory, p.expose(), hash.as_deref()))
            }
        };
        let _ = job.reply.send(done);
    }
    if memory.is_some() {
        shared.holding.fetch_sub(1, Ordering::SeqCst);
    }
}

fn unexpected() -> AppError {
    AppError::internal(&std::io::Error::other(
        "a password hashing thread answered another question",
    ))
}

#[async_trait]
impl PasswordHasher for HashWorkers {
    async fn hash(&self, password: Password) -> Result<String, AppError> {
        match self.run(Work::Hash(password)).await? {
            Done::Hashed(result) => result,
            Done::Verified(_) => Err(unexpected()),
        }
    }

    async fn verify(&self, password: Password, hash: Option<String>) -> Result<bool, AppError> {
        match self.run(Work::Verify(password, hash)).await? {
            Done::Verified(ok) => Ok(ok),
            Done::Hashed(_) => Err(unexpected()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn password(p: &str) -> Password {
        Password::parse_attempt(p).expect("a password")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_verifications_each_get_their_own_answer() {
        let workers = Arc::new(HashWorkers::with_workers(2, 64, KEEP_MEMORY));
        let stored = workers
            .hash(password("correct horse battery"))
            .await
            .unwrap();
        let checks: Vec<_> = (0..24)
            .map(|i| {
                let (workers, stored) = (workers.clone(), stored.clone());
                tokio::spawn(async move {
                    let right = i % 3 == 0;
                    let attempt = if right {
                        "correct horse battery"
                    } else {
                        "wrong horse battery"
                    };
                    let hash = (i % 5 != 4).then_some(stored);
                    let ok = workers.verify(password(attempt), hash.clone()).await;
                    (right && hash.is_some(), ok)
                })
            })
            .collect();
        for check in checks {
            let (expected, got) = check.await.unwrap();
            assert_eq!(got, Ok(expected));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_answers_503_at_once_and_the_rest_are_served() {
        let workers = Arc::new(HashWorkers::with_workers(1, 2, KEEP_MEMORY));
        let stored = workers
            .hash(password("correct horse battery"))
            .await
            .unwrap();
        let checks: Vec<_> = (0..12)
            .map(|_| {
                let (workers, stored) = (workers.clone(), stored.clone());
                tokio::spawn(async move {
                    workers
                        .verify(password("correct horse battery"), Some(stored))
                        .await
                })
            })
            .collect();
        let (mut served, mut busy) = (0, 0);
        for check in checks {
            match check.await.unwrap() {
                Ok(true) => served += 1,
                Err(e) => {
                    assert_eq!(e.status(), 503, "{e:?}");
                    assert_eq!(e.retry_after_secs(), Some(RETRY_AFTER_SECS));
                    busy += 1;
                }
                Ok(false) => panic!("the right password failed"),
            }
        }
        // One hash runs and two wait while the twelve arrive at once.
        assert!(busy >= 1 && served >= 1, "served {served}, busy {busy}");
        assert_eq!(served + busy, 12);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn idle_workers_give_their_memory_back_and_take_it_again_when_needed() {
        let workers = HashWorkers::with_workers(2, 8, Duration::from_millis(200));
        assert_eq!(
            workers.holding_memory(),
            0,
            "nothing is held before any work"
        );
        let stored = workers
            .hash(password("correct horse battery"))
            .await
            .unwrap();
        assert!(workers.holding_memory() >= 1);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while workers.holding_memory() > 0 {
            assert!(std::time::Instant::now() < deadline, "memory still held");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            workers
                .verify(password("correct horse battery"), Some(stored))
                .await,
            Ok(true)
        );
    }
}
