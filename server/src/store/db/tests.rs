//! The statement layer: placeholders numbered for each database, and ids as SQLite keeps them.

use super::*;
use crate::store::values::Id;
use uuid::Uuid;

#[test]
fn sqlite_gets_numbered_positional_parameters() {
    assert_eq!(
        positional("SELECT $1 + $12 WHERE a = '$' AND b = $2"),
        "SELECT ?1 + ?12 WHERE a = '$' AND b = ?2"
    );
    assert_eq!(
        positional("INSERT INTO t VALUES ($1, $2), ($3, $4)"),
        "INSERT INTO t VALUES (?, ?), (?, ?)"
    );
    assert_eq!(positional("SELECT $1 + $2 + $1"), "SELECT ?1 + ?2 + ?1");
}

#[test]
fn push_bind_numbers_the_placeholders() {
    let mut q = Sql::new("SELECT 1 WHERE a = $1");
    q.args.push(1_i64.arg());
    q.push(" AND b IN (").push_list([2_i64, 3]).push(")");
    assert_eq!(q.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
    assert_eq!(q.args.len(), 3);
}

/// Numbered placeholders repeat in SQLite as in PostgreSQL; ids round-trip as text.
#[tokio::test]
async fn numbered_placeholders_repeat_and_ids_round_trip_in_sqlite() {
    let pool = SqlitePool::connect("sqlite::memory:").await.expect("pool");
    let v: i64 = query_scalar("SELECT $1 + $2 + $1")
        .bind(1_i64)
        .bind(10_i64)
        .fetch_one(&pool)
        .await
        .expect("query");
    assert_eq!(v, 12);
    let id = Uuid::now_v7();
    let row = query("SELECT $1 AS id, typeof($1) AS kind")
        .bind(Id(id))
        .fetch_one(&pool)
        .await
        .expect("query");
    assert_eq!(Ids::get(&row, "id").expect("id"), id);
    assert_eq!(row.get::<String>("kind").expect("kind"), "text");
}
