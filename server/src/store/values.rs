//! The values statements bind and read, in the form both databases take: text, integers,
//! booleans, ids (`TEXT` in SQLite, `uuid` in PostgreSQL) and JSON, each also optional.

use sqlx::{
    Decode, Postgres, Sqlite, Type,
    error::BoxDynError,
    postgres::{PgTypeInfo, PgValueRef},
    sqlite::{SqliteTypeInfo, SqliteValueRef},
};
use uuid::Uuid;

/// An argument of a statement, owned, in the form both databases take.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Id(Option<Uuid>),
    /// `TEXT` in SQLite, `jsonb` in PostgreSQL.
    Json(Option<serde_json::Value>),
}

/// What a statement can bind: text, integers, booleans, ids and JSON, each also optional.
pub(crate) trait Param {
    fn arg(self) -> Arg;
}

macro_rules! params {
    ($($t:ty => |$v:ident| $e:expr;)*) => {
        $(impl Param for $t {
            fn arg(self) -> Arg {
                let $v = self;
                $e
            }
        })*
    };
}

// Conversions only; no SQL lives here.
params! {
    String => |v| Arg::Text(Some(v));
    &String => |v| Arg::Text(Some(v.clone()));
    &str => |v| Arg::Text(Some(v.to_string()));
    Option<String> => |v| Arg::Text(v);
    &Option<String> => |v| Arg::Text(v.clone());
    Option<&str> => |v| Arg::Text(v.map(str::to_string));
    Option<&String> => |v| Arg::Text(v.cloned());
    i64 => |v| Arg::Int(Some(v));
    Option<i64> => |v| Arg::Int(v);
    i32 => |v| Arg::Int(Some(i64::from(v)));
    u32 => |v| Arg::Int(Some(i64::from(v)));
    bool => |v| Arg::Bool(Some(v));
    Option<bool> => |v| Arg::Bool(v);
    Id => |v| Arg::Id(Some(v.0));
    Option<Id> => |v| Arg::Id(v.map(|id| id.0));
    Uuid => |v| Arg::Id(Some(v));
    Option<Uuid> => |v| Arg::Id(v);
    Option<&serde_json::Value> => |v| Arg::Json(v.cloned());
}

impl Arg {
    pub(super) fn bind_sqlite(self, q: SqliteQuery<'_>) -> SqliteQuery<'_> {
        match self {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Id(v) => q.bind(v.map(|u| u.to_string())),
            Arg::Json(v) => q.bind(v.map(|j| j.to_string())),
        }
    }

    pub(super) fn bind_postgres(self, q: PgQuery<'_>) -> PgQuery<'_> {
        match self {
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Id(v) => q.bind(v),
            Arg::Json(v) => q.bind(v.map(sqlx::types::Json)),
        }
    }
}

/// A value both databases can return.
pub(crate) trait Value:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Value for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// An id column: `TEXT` in SQLite, `uuid` in PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Id(pub Uuid);

impl Type<Sqlite> for Id {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for Id {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        Ok(Id(Uuid::parse_str(text)?))
    }
}

impl Type<Postgres> for Id {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <Uuid as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for Id {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <Uuid as Decode<'r, Postgres>>::decode(value).map(Id)
    }
}

pub(crate) type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;
pub(crate) type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;
