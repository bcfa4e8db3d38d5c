//! Where SQLite's and PostgreSQL's SQL differ.

/// Where the two databases' SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `col` compared byte by byte (for the prefix ranges the indexes serve): SQLite's
    /// default collation already is; PostgreSQL's indexes on these columns use `"C"`.
    pub(crate) fn bytewise(self, col: &str) -> String {
        format!("{col}{}", self.byte_collation())
    }

    /// What makes a text compare byte by byte: nothing in SQLite, `COLLATE "C"` in PostgreSQL.
    pub(crate) fn byte_collation(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => r#" COLLATE "C""#,
        }
    }

    /// An id column compared with a text column (role ids are text: `admin` or a uuid).
    pub(crate) fn id_text(self, col: &str) -> String {
        match self {
            Dialect::Sqlite => col.to_string(),
            Dialect::Postgres => format!("{col}::text"),
        }
    }

    /// A NULL of id type, for a `UNION` whose other side has ids.
    pub(crate) fn null_id(self) -> &'static str {
        match self {
            Dialect::Sqlite => "NULL",
            Dialect::Postgres => "NULL::uuid",
        }
    }

    /// A NULL of text type, for a `UNION` whose other side has text.
    pub(crate) fn null_text(self) -> &'static str {
        match self {
            Dialect::Sqlite => "NULL",
            Dialect::Postgres => "NULL::text",
        }
    }

    /// `ORDER BY` text without regard to case.
    pub(crate) fn order_nocase(self, col: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{col} COLLATE NOCASE"),
            Dialect::Postgres => format!("lower({col})"),
        }
    }
}
