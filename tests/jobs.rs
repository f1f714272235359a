//! The durable jobs table on every backend: each job is claimed by one
//! worker at a time, a lost lease is taken over, a finish after the lease
//! was lost queues nothing, and a re-plan cancels what is no longer planned.

mod support;

use banso::message::{Outgoing, Recipient};
use banso::store::{JobOutcome, NewMessage, PlannedJob};

fn job(key: &str, due_at: i64) -> PlannedJob {
    PlannedJob {
        idempotency_key: key.to_owned(),
        kind: "deliverables_due".to_owned(),
        meeting_key: "regular:2024-06".to_owned(),
        meeting_starts_at: 2_000,
        due_at,
    }
}

fn message(key: &str) -> NewMessage {
    NewMessage {
        idempotency_key: key.to_owned(),
        message: Outgoing {
            to: Recipient::Channel("#banso".into()),
            text: format!("reminder {key}"),
            buttons: Vec::new(),
        },
        deferred: None,
        edits: None,
        in_thread_of: None,
    }
}

#[tokio::test]
async fn a_job_is_claimed_once_and_finished_with_its_messages() {
    for test in support::all_stores().await {
        let store = &test.store;
        store
            .sync_jobs(&[job("a", 100), job("b", 200)], 0)
            .await
            .unwrap();
        assert_eq!(
            store.claim_due_job("w1", 99, 60).await.unwrap(),
            None,
            "{}",
            test.label
        );
        assert_eq!(store.next_job_due_at().await.unwrap(), Some(100));
        let a = store
            .claim_due_job("w1", 150, 60)
            .await
            .unwrap()
            .expect("a is due");
        assert_eq!(a.idempotency_key, "a");
        // Another worker sees nothing else due yet.
        assert_eq!(
            store.claim_due_job("w2", 150, 60).await.unwrap(),
            None,
            "{}",
            test.label
        );
        assert!(
            store
                .finish_job(&a, "w1", JobOutcome::Sent, &[message("a:#banso")], 151)
                .await
                .unwrap()
        );
        assert_eq!(store.pending_messages(10).await.unwrap().len(), 1);
        // Re-planning the same reminders does not resurrect a finished one.
        store
            .sync_jobs(&[job("a", 100), job("b", 200)], 0)
            .await
            .unwrap();
        assert_eq!(
            store.claim_due_job("w1", 150, 60).await.unwrap(),
            None,
            "{}",
            test.label
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_the_old_holder_cannot_finish() {
    for test in support::all_stores().await {
        let store = &test.store;
        store.sync_jobs(&[job("a", 100)], 0).await.unwrap();
        let first = store
            .claim_due_job("crashed", 100, 60)
            .await
            .unwrap()
            .expect("due");
        // The first scheduler "crashes" holding the lease; after it runs
        // out, a new one takes the job.
        assert_eq!(
            store.claim_due_job("new", 159, 60).await.unwrap(),
            None,
            "{}",
            test.label
        );
        let second = store
            .claim_due_job("new", 161, 60)
            .await
            .unwrap()
            .expect("lease expired");
        assert_eq!(second.attempts, 2);
        assert!(
            !store
                .finish_job(&first, "crashed", JobOutcome::Sent, &[message("a:x")], 162)
                .await
                .unwrap()
        );
        assert!(
            store
                .finish_job(&second, "new", JobOutcome::Sent, &[message("a:x")], 162)
                .await
                .unwrap()
        );
        assert_eq!(
            store.pending_messages(10).await.unwrap().len(),
            1,
            "{}",
            test.label
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_replan_cancels_what_is_no_longer_planned_and_moves_what_moved() {
    for test in support::all_stores().await {
        let store = &test.store;
        store
            .sync_jobs(&[job("a", 100), job("b", 200)], 0)
            .await
            .unwrap();
        let claimed = store
            .claim_due_job("w1", 100, 60)
            .await
            .unwrap()
            .expect("a due");
        let report = store.sync_jobs(&[job("b", 300)], 0).await.unwrap();
        assert_eq!(report.cancelled, 1, "{}", test.label);
        assert!(
            !store
                .finish_job(&claimed, "w1", JobOutcome::Sent, &[message("a:x")], 101)
                .await
                .unwrap()
        );
        assert_eq!(
            store.claim_due_job("w1", 250, 60).await.unwrap(),
            None,
            "b moved to 300"
        );
        assert_eq!(store.next_job_due_at().await.unwrap(), Some(300));
        let statuses: Vec<_> = store
            .jobs()
            .await
            .unwrap()
            .into_iter()
            .map(|job| (job.idempotency_key, job.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("a".to_owned(), "cancelled".to_owned()),
                ("b".to_owned(), "pending".to_owned())
            ]
        );
        test.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_planned_again_after_a_cancel_comes_back() {
    for test in support::all_stores().await {
        let store = &test.store;
        store
            .sync_jobs(&[job("a", 100), job("b", 200)], 0)
            .await
            .unwrap();
        // The meeting moves away (a, b cancelled) and back again.
        store.sync_jobs(&[], 0).await.unwrap();
        store
            .sync_jobs(&[job("a", 100), job("b", 200)], 150)
            .await
            .unwrap();
        let statuses: Vec<_> = store
            .jobs()
            .await
            .unwrap()
            .into_iter()
            .map(|job| job.status)
            .collect();
        // a's time passed while it was cancelled: skipped, not sent late.
        assert_eq!(statuses, ["skipped", "pending"], "{}", test.label);
        test.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_never_take_the_same_job() {
    for test in support::all_stores().await {
        let store = test.store.clone();
        let plan: Vec<_> = (0..60).map(|n| job(&format!("j{n}"), n)).collect();
        store.sync_jobs(&plan, 0).await.unwrap();
        let mut workers = Vec::new();
        for worker in 0..4 {
            let store = store.clone();
            workers.push(tokio::spawn(async move {
                let name = format!("w{worker}");
                let mut taken = Vec::new();
                while let Some(job) = store.claim_due_job(&name, 1_000, 600).await.unwrap() {
                    let key = format!("{}:#banso", job.idempotency_key);
                    assert!(
                        store
                            .finish_job(&job, &name, JobOutcome::Sent, &[message(&key)], 1_000)
                            .await
                            .unwrap()
                    );
                    taken.push(job.idempotency_key);
                }
                taken
            }));
        }
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.await.unwrap());
        }
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 60, "{}", test.label);
        assert_eq!(
            store.pending_messages(100).await.unwrap().len(),
            60,
            "{}",
            test.label
        );
        test.cleanup().await;
    }
}
