//! Schemas for values whose rules JSON Schema can state only with a pattern: the document says
//! exactly what the server checks, so a request it allows is never refused as invalid input.

use utoipa::openapi::{
    KnownFormat, ObjectBuilder, SchemaFormat,
    schema::{SchemaType, Type},
};

/// Not blank (the server trims) and no control character (Unicode `Cc`) anywhere.
pub const ONE_LINE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// A name of a role, group, project or token: one line of 1 to 64 characters.
pub fn name() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .min_length(Some(1))
        .max_length(Some(64))
        .pattern(Some(ONE_LINE))
        .description(Some("One line of 1 to 64 characters, trimmed"))
}

/// An email address as the server checks it: a local part of printable ASCII, and a domain of
/// at least two dot-separated labels.
pub fn email() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .min_length(Some(3))
        .max_length(Some(254))
        .pattern(Some("^[!-?A-~]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"))
        .examples([serde_json::json!("grace@example.com")])
}

/// A time in the audit filter: RFC 3339 in UTC, a date, or milliseconds since the Unix epoch.
/// (The server takes 29 February too; the pattern leaves it out rather than know leap years.)
pub fn instant() -> ObjectBuilder {
    const DATE: &str = "(19[7-9][0-9]|2[0-9]{3})-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))";
    const TIME: &str = "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z";
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .pattern(Some(format!("^([0-9]{{1,15}}|{DATE}({TIME})?)$")))
        .examples([serde_json::json!("2026-11-24T08:00:00Z")])
}

/// The formats of the audit export.
pub fn audit_format() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(["json", "csv"]))
}

/// A new token's lifetime in days; `null` or absent: it never expires.
pub fn expiry_days() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .enum_values(Some(
            crate::areas::tokens::types::TOKEN_EXPIRY_DAYS
                .map(serde_json::Value::from)
                .into_iter()
                .chain([serde_json::Value::Null]),
        ))
}

/// `GET /audit` in JSON: a page of events, or (with `format=json`) the export, an array of
/// every matching event.
pub struct AuditAnswer;

impl utoipa::PartialSchema for AuditAnswer {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::ArrayBuilder;
        use utoipa::openapi::OneOfBuilder;
        use utoipa::openapi::Ref;
        OneOfBuilder::new()
            .item(Ref::from_schema_name("AuditListing"))
            .item(ArrayBuilder::new().items(Ref::from_schema_name("AuditEvent")))
            .into()
    }
}

impl utoipa::ToSchema for AuditAnswer {}
