//! The small layer that lets the store's SQL be written once for SQLite and PostgreSQL.
//!
//! A statement ([`Sql`]) holds its text and its arguments and runs on either database
//! ([`Ex`]: a pool, a connection or a write transaction of one kind); its rows ([`Row`]) are
//! read by column name. Placeholders are numbered (`$1`, `$2`, …, repeatable), which both
//! databases accept. What statements bind and read is in `values` (ids are `TEXT` in SQLite
//! and `uuid` in PostgreSQL); where the two dialects truly differ, `dialect` says how.

use super::{
    WriteTx, db_error,
    dialect::Dialect,
    values::{Arg, Id, Param, PgQuery, SqliteQuery, Value},
};
use app::{core::ids::OrgId, server::store::StoreResult};
use sqlx::{
    FromRow, Postgres, Sqlite,
    postgres::{PgConnection, PgPool, PgRow},
    sqlite::{SqliteConnection, SqlitePool, SqliteRow},
};
use std::fmt::Display;
use uuid::Uuid;

/// A statement and its arguments. Arguments are bound in order to `$1`, `$2`, …; `push_bind`
/// writes the next number itself.
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
    /// PostgreSQL: kept prepared on the connection (see `planned_with_its_values`).
    prepared: bool,
}

/// A statement with numbered placeholders already in its text.
pub(crate) fn query(text: impl Into<String>) -> Sql {
    Sql {
        text: text.into(),
        args: Vec::new(),
        prepared: true,
    }
}

/// A statement whose rows are one value each.
pub(crate) fn query_scalar<T: Value + Send + Unpin>(text: impl Into<String>) -> Scalar<T> {
    Scalar {
        sql: query(text),
        _value: std::marker::PhantomData,
    }
}

impl Sql {
    /// The statement begun with `text`, to be continued by `push` and `push_bind`.
    pub(crate) fn new(text: impl Into<String>) -> Sql {
        query(text)
    }

    pub(crate) fn bind(mut self, value: impl Param) -> Sql {
        self.args.push(value.arg());
        self
    }

    /// PostgreSQL plans the statement with its values each time it runs, instead of keeping
    /// it prepared: after five runs a prepared statement may get a generic plan, made without
    /// its values. For a member listing that plan cannot know how many members a search or a
    /// role matches, and it chose to join every member to every match (45 ms instead of 2).
    pub(crate) fn planned_with_its_values(mut self) -> Sql {
        self.prepared = false;
        self
    }

    /// The statement with `text` before it (`EXPLAIN …`).
    pub(crate) fn prefixed(mut self, text: &str) -> Sql {
        self.text.insert_str(0, text);
        self
    }

    pub(crate) fn push(&mut self, text: impl Display) -> &mut Sql {
        use std::fmt::Write;
        let _ = write!(self.text, "{text}");
        self
    }

    /// Binds `value` to the next number, for a placeholder already written.
    pub(crate) fn push_arg(&mut self, value: impl Param) -> &mut Sql {
        self.args.push(value.arg());
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub(crate) fn push_bind(&mut self, value: impl Param) -> &mut Sql {
        self.args.push(value.arg());
        let n = self.args.len();
        self.push(format_args!("${n}"))
    }

    /// Appends `$k, $k+1, …` for `values` (an `IN (…)` list) and binds them.
    pub(crate) fn push_list<P: Param>(&mut self, values: impl IntoIterator<Item = P>) -> &mut Sql {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(v);
        }
        self
    }

    pub(crate) async fn fetch_all<'e>(self, ex: impl Into<Ex<'e>>) -> sqlx::Result<Vec<Row>> {
        Ok(match ex.into() {
            Ex::SqlitePool(p) => wrap(
                sqlite(&positional(&self.text), self.args)
                    .fetch_all(p)
                    .await?,
                Row::Sqlite,
            ),
            Ex::Sqlite(c) => wrap(
                sqlite(&positional(&self.text), self.args)
                    .fetch_all(c)
                    .await?,
                Row::Sqlite,
            ),
            Ex::PgPool(p) => wrap(
                postgres(&self.text, self.args, self.prepared)
                    .fetch_all(p)
                    .await?,
                Row::Postgres,
            ),
            Ex::Postgres(c) => wrap(
                postgres(&self.text, self.args, self.prepared)
                    .fetch_all(c)
                    .await?,
                Row::Postgres,
            ),
        })
    }

    pub(crate) async fn fetch_optional<'e>(
        self,
        ex: impl Into<Ex<'e>>,
    ) -> sqlx::Result<Option<Row>> {
        Ok(match ex.into() {
            Ex::SqlitePool(p) => sqlite(&positional(&self.text), self.args)
                .fetch_optional(p)
                .await?
                .map(Row::Sqlite),
            Ex::Sqlite(c) => sqlite(&positional(&self.text), self.args)
                .fetch_optional(c)
                .await?
                .map(Row::Sqlite),
            Ex::PgPool(p) => postgres(&self.text, self.args, self.prepared)
                .fetch_optional(p)
                .await?
                .map(Row::Postgres),
            Ex::Postgres(c) => postgres(&self.text, self.args, self.prepared)
                .fetch_optional(c)
                .await?
                .map(Row::Postgres),
        })
    }

    pub(crate) async fn fetch_one<'e>(self, ex: impl Into<Ex<'e>>) -> sqlx::Result<Row> {
        self.fetch_optional(ex)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Runs the statement; the number of rows it changed.
    pub(crate) async fn execute<'e>(self, ex: impl Into<Ex<'e>>) -> sqlx::Result<Done> {
        Ok(Done(match ex.into() {
            Ex::SqlitePool(p) => sqlite(&positional(&self.text), self.args)
                .execute(p)
                .await?
                .rows_affected(),
            Ex::Sqlite(c) => sqlite(&positional(&self.text), self.args)
                .execute(c)
                .await?
                .rows_affected(),
            Ex::PgPool(p) => postgres(&self.text, self.args, self.prepared)
                .execute(p)
                .await?
                .rows_affected(),
            Ex::Postgres(c) => postgres(&self.text, self.args, self.prepared)
                .execute(c)
                .await?
                .rows_affected(),
        }))
    }

    pub(crate) fn build_query_scalar<T: Value + Send + Unpin>(self) -> Scalar<T> {
        Scalar {
            sql: self,
            _value: std::marker::PhantomData,
        }
    }
}

/// The text for SQLite. SQLite keeps a list of the numbered and named parameters of a
/// statement and looks each one up in it, which grows with the square of their number (a bulk
/// insert binds thousands), so `$1, $2, …` in order become plain `?`; a statement that repeats
/// or reorders them gets `?n`, the same parameter by number.
fn positional(text: &str) -> String {
    let numbers = placeholders(text);
    let in_order = numbers.iter().enumerate().all(|(i, n)| *n == i + 1);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                if !in_order {
                    out.push(d);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The numbers of the `$n` placeholders in `text`, in the order they appear.
fn placeholders(text: &str) -> Vec<usize> {
    text.split('$')
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

fn sqlite(text: &str, args: Vec<Arg>) -> SqliteQuery<'_> {
    args.into_iter()
        .fold(sqlx::query(text), |q, a| a.bind_sqlite(q))
}

fn postgres(text: &str, args: Vec<Arg>, prepared: bool) -> PgQuery<'_> {
    args.into_iter()
        .fold(sqlx::query(text), |q, a| a.bind_postgres(q))
        .persistent(prepared)
}

fn wrap<R>(rows: Vec<R>, f: fn(R) -> Row) -> Vec<Row> {
    rows.into_iter().map(f).collect()
}

/// What a statement changed.
pub(crate) struct Done(u64);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// A statement whose rows are one value each (the first column).
pub(crate) struct Scalar<T> {
    sql: Sql,
    _value: std::marker::PhantomData<fn() -> T>,
}

impl<T: Value + Send + Unpin> Scalar<T> {
    pub(crate) fn bind(mut self, value: impl Param) -> Self {
        self.sql = self.sql.bind(value);
        self
    }

    pub(crate) async fn fetch_all<'e>(self, ex: impl Into<Ex<'e>>) -> sqlx::Result<Vec<T>> {
        self.sql
            .fetch_all(ex)
            .await?
            .iter()
            .map(Row::first)
            .collect()
    }

    pub(crate) async fn fetch_optional<'e>(self, ex: impl Into<Ex<'e>>) -> sqlx::Result<Option<T>> {
        self.sql
            .fetch_optional(ex)
            .await?
            .as_ref()
            .map(Row::first)
            .transpose()
    }

    pub(crate) async fn fetch_one<'e>(self, ex: impl Into<Ex<'e>>) -> sqlx::Result<T> {
        self.sql.fetch_one(ex).await?.first()
    }
}

/// A row of either database.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    /// The column `col`, as sqlx reads it.
    pub(crate) fn try_get<T: Value>(&self, col: &str) -> sqlx::Result<T> {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(r) => r.try_get(col),
            Row::Postgres(r) => r.try_get(col),
        }
    }

    /// The column `col`, or the store's error.
    pub(crate) fn get<T: Value>(&self, col: &str) -> StoreResult<T> {
        self.try_get(col)
            .map_err(app::server::store::StoreError::backend)
    }

    /// A JSON column: `TEXT` in SQLite, `jsonb` in PostgreSQL.
    pub(crate) fn json(&self, col: &str) -> StoreResult<Option<serde_json::Value>> {
        match self {
            Row::Sqlite(_) => self
                .get::<Option<String>>(col)?
                .map(|s| serde_json::from_str(&s).map_err(app::server::store::StoreError::backend))
                .transpose(),
            Row::Postgres(r) => {
                use sqlx::Row as _;
                r.try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>(col)
                    .map(|j| j.map(|j| j.0))
                    .map_err(app::server::store::StoreError::backend)
            }
        }
    }

    fn first<T: Value>(&self) -> sqlx::Result<T> {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(r) => r.try_get(0),
            Row::Postgres(r) => r.try_get(0),
        }
    }

    /// The row as `T` (a `#[derive(sqlx::FromRow)]` struct of [`Value`] fields).
    pub(crate) fn decode<T>(&self) -> StoreResult<T>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
    {
        match self {
            Row::Sqlite(r) => T::from_row(r),
            Row::Postgres(r) => T::from_row(r),
        }
        .map_err(app::server::store::StoreError::backend)
    }
}

/// Where a statement runs.
pub(crate) enum Ex<'e> {
    SqlitePool(&'e SqlitePool),
    Sqlite(&'e mut SqliteConnection),
    PgPool(&'e PgPool),
    Postgres(&'e mut PgConnection),
}

/// A write transaction on either database (see [`WriteTx`]).
pub(crate) enum Tx {
    Sqlite(WriteTx<Sqlite>),
    Postgres(WriteTx<Postgres>),
}

impl Tx {
    pub(crate) async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Tx::Sqlite(_) => Dialect::Sqlite,
            Tx::Postgres(_) => Dialect::Postgres,
        }
    }
}

impl<'e> From<&'e mut Tx> for Ex<'e> {
    fn from(tx: &'e mut Tx) -> Ex<'e> {
        match tx {
            Tx::Sqlite(t) => Ex::Sqlite(t),
            Tx::Postgres(t) => Ex::Postgres(t),
        }
    }
}

impl<'e> From<&'e SqlitePool> for Ex<'e> {
    fn from(p: &'e SqlitePool) -> Ex<'e> {
        Ex::SqlitePool(p)
    }
}

impl<'e> From<&'e PgPool> for Ex<'e> {
    fn from(p: &'e PgPool) -> Ex<'e> {
        Ex::PgPool(p)
    }
}

impl<'e> From<&'e mut SqliteConnection> for Ex<'e> {
    fn from(c: &'e mut SqliteConnection) -> Ex<'e> {
        Ex::Sqlite(c)
    }
}

impl<'e> From<&'e mut PgConnection> for Ex<'e> {
    fn from(c: &'e mut PgConnection) -> Ex<'e> {
        Ex::Postgres(c)
    }
}

/// Ids as the shared store code binds and reads them.
pub(crate) struct Ids;

impl Ids {
    pub(crate) fn bind(u: Uuid) -> Id {
        Id(u)
    }

    pub(crate) fn bind_opt(u: Option<Uuid>) -> Option<Id> {
        u.map(Id)
    }

    pub(crate) fn get(r: &Row, col: &str) -> StoreResult<Uuid> {
        r.get::<Id>(col).map(|id| id.0)
    }
}

/// Serializes writes to one organization, so that the rule-4 check and the change it guards
/// cannot interleave with another: SQLite's single writer connection already does;
/// PostgreSQL locks the organization's row until the transaction ends, across nodes.
pub(crate) async fn lock_org(tx: &mut Tx, org: OrgId) -> StoreResult<()> {
    if tx.dialect() == Dialect::Postgres {
        query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
            .bind(Id(org.0))
            .execute(tx)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// Which of `ids` are rows of `table` in `org`, in one query. `table` is one of the literal
/// names the store passes (`custom_roles`, `projects`, `groups`).
pub(crate) async fn known_ids(
    tx: &mut Tx,
    table: &'static str,
    org: OrgId,
    ids: &[Uuid],
) -> StoreResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("SELECT id FROM {table} WHERE org_id = "));
    q.push_bind(Id(org.0)).push(" AND id IN (");
    q.push_list(ids.iter().copied().map(Id)).push(")");
    q.fetch_all(tx)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| Ids::get(r, "id"))
        .collect()
}

#[cfg(test)]
mod tests;
