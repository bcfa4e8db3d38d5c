//! The mail outbox: retries with backoff, and bodies forgotten once sent.

use super::*;

async fn the_outbox_retries_with_backoff_and_forgets_sent_bodies(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, _) = org(&app, "Acme", "ada@example.com").await;
    let now = app.state.now();
    stored_invitation(&app.state.store, acme.id, "m@example.com", "s", now)
        .await
        .unwrap();
    let store = &*app.state.store;
    assert_eq!(
        gatehouse::mail::deliver_due(store, &Refuser, &app.clock).await,
        1
    );
    // Not due again until the backoff has passed.
    assert!(deliver(&app).await.is_empty());
    app.clock.advance_ms(4_000);
    assert!(deliver(&app).await.is_empty());
    app.clock.advance_ms(2_000);
    let second = deliver(&app).await;
    assert_eq!(second.len(), 1, "retried after 5 s");
    assert_eq!(second[0].text, "text", "the bodies are kept until sent");
    app.clock.advance_ms(24 * 3_600_000);
    assert!(deliver(&app).await.is_empty(), "sent once, never again");
    // A message that keeps failing is given up after ten attempts.
    stored_invitation(
        &app.state.store,
        acme.id,
        "n@example.com",
        "t",
        app.state.now(),
    )
    .await
    .unwrap();
    let mut attempts = 0;
    for _ in 0..20 {
        attempts += gatehouse::mail::deliver_due(store, &Refuser, &app.clock).await;
        app.clock.advance_ms(3_600_000);
    }
    assert_eq!(attempts, 10);
}

on_both_databases!(the_outbox_retries_with_backoff_and_forgets_sent_bodies);
