//! Invitations and the organization settings that govern them.

use crate::{
    core::ids::{GroupId, InvitationId},
    policy::{Binding, RoleId},
};
use serde::{Deserialize, Serialize};

/// Where an invitation stands. `Expired` is a pending invitation whose link has run out; it
/// still blocks a second invitation to the same address and can be resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum InvitationStatus {
    Pending,
    Expired,
    Accepted,
    Withdrawn,
}

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 4] = [
        InvitationStatus::Pending,
        InvitationStatus::Expired,
        InvitationStatus::Accepted,
        InvitationStatus::Withdrawn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Expired => "expired",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Withdrawn => "withdrawn",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Pending",
            InvitationStatus::Expired => "Expired",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Withdrawn => "Withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Why a link in this state cannot be accepted: a stable code, whose sentence for the
    /// person who followed it is the catalogue's `errors.<code>`. `None` for a pending invitation.
    pub const fn closed_reason(self) -> Option<&'static str> {
        match self {
            InvitationStatus::Pending => None,
            InvitationStatus::Accepted => Some("invitation_used"),
            InvitationStatus::Withdrawn => Some("invitation_withdrawn"),
            InvitationStatus::Expired => Some("invitation_expired"),
        }
    }

    /// Resend and withdraw apply to invitations that have not been answered.
    pub const fn is_open(self) -> bool {
        matches!(self, InvitationStatus::Pending | InvitationStatus::Expired)
    }
}

/// One invitation as the invitations list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub status: InvitationStatus,
    /// The roles and groups it grants, as they were named when it was sent.
    pub grants: InvitationGrants,
    /// Who sent it (their name), or who last resent it.
    pub invited_by: String,
    /// Milliseconds since the Unix epoch, UTC: when the current link was sent.
    pub sent_at: i64,
    pub expires_at: i64,
    /// When it was accepted or withdrawn.
    pub closed_at: Option<i64>,
    /// Why it was closed when nobody withdrew it, e.g. its sender can no longer grant what it
    /// offers.
    pub closed_reason: Option<String>,
}

/// What an invitation grants, named as when it was sent: a later rename or deletion of a role,
/// project or group does not rewrite what the list says was offered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationGrants {
    pub roles: Vec<GrantedRole>,
    /// The groups' names.
    pub groups: Vec<String>,
}

/// A role an invitation grants, in the organization or in one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GrantedRole {
    /// A built-in role's id (`editor`) or a custom role's UUID; absent in invitations sent
    /// before roles were recorded by id, whose `name` holds the whole description.
    pub role: Option<RoleId>,
    /// Its name when the invitation was sent (a built-in role's English name).
    pub name: String,
    /// The project's name, when the role applies to one project only.
    pub project: Option<String>,
}

impl InvitationGrants {
    /// As the database keeps it (JSON); older rows hold an English description, which is
    /// kept whole as one nameless entry.
    pub fn from_stored(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_else(|_| InvitationGrants {
            roles: vec![GrantedRole {
                role: None,
                name: text.to_string(),
                project: None,
            }],
            groups: Vec::new(),
        })
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One page of invitations, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationListing {
    pub items: Vec<Invitation>,
    pub next_cursor: Option<InvitationId>,
    pub total: i64,
}

/// What an invitation offers: bindings (organization role and per-project roles) and groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteRequest {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::server::rest::schema::email))]
    pub email: String,
    /// At most 100; repeated entries count once.
    #[cfg_attr(feature = "ssr", schema(max_items = 100))]
    pub bindings: Vec<Binding>,
    /// At most 100; repeated entries count once.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 100))]
    pub groups: Vec<GroupId>,
}

/// One line of a bulk invitation, as read from pasted text or a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkLine {
    /// 1-based line number in what was pasted or uploaded.
    pub line: u32,
    pub email: String,
    /// A role's name or id; empty means the form's default role.
    pub role: String,
    /// Group names or ids.
    pub groups: Vec<String>,
}

/// What happened to one line of a bulk invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    Invited,
    AlreadyMember,
    AlreadyInvited,
    Invalid,
    OverCap,
    NotAllowed,
}

impl BulkOutcome {
    pub const fn label(self) -> &'static str {
        match self {
            BulkOutcome::Invited => "invited",
            BulkOutcome::AlreadyMember => "already a member",
            BulkOutcome::AlreadyInvited => "already invited",
            BulkOutcome::Invalid => "invalid",
            BulkOutcome::OverCap => "over the cap",
            BulkOutcome::NotAllowed => "not allowed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkReport {
    pub line: u32,
    pub email: String,
    pub outcome: BulkOutcome,
    pub message: String,
}

/// Most lines one bulk request carries; the console sends long lists in chunks of this size.
pub const BULK_CHUNK: usize = 25;
/// Most lines one bulk invitation may have.
pub const BULK_MAX_LINES: usize = 5_000;

/// Reads `email[,role[,groups]]` lines (pasted, or a CSV file with an optional `email,…`
/// header). Fields may be quoted (`"a, b"`, with `""` for a quote); groups are separated by
/// `;` or `|`. Blank lines are skipped. A line that cannot be read keeps its text in `email`,
/// so it is reported as invalid.
pub fn parse_bulk(text: &str) -> Vec<BulkLine> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let fields = split_csv_line(line);
        let first = fields.first().map(|f| f.trim()).unwrap_or_default();
        if i == 0 && first.eq_ignore_ascii_case("email") {
            continue;
        }
        let field = |n: usize| {
            fields
                .get(n)
                .map(|f| f.trim().to_string())
                .unwrap_or_default()
        };
        let groups = field(2)
            .split(['|', ';'])
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect();
        out.push(BulkLine {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            email: first.to_string(),
            role: field(1),
            groups,
        });
    }
    out
}

/// One CSV record's fields (RFC 4180 quoting, within one line).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// What `/invite/{token}` finds behind a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteLink {
    /// Not a link Gatehouse makes (cut off, mistyped).
    Malformed,
    /// Well formed, but no invitation has it (or it was replaced by a resend).
    Unknown,
    Used,
    Withdrawn,
    /// Its sender can no longer grant what it offers: nothing is granted.
    NoLongerValid {
        org_name: String,
    },
    Expired {
        org_name: String,
    },
    /// Open: `account_exists` says whether the person signs in (an existing user) or creates
    /// an account; `signed_in_as` is the email of whoever is signed in in this browser.
    Open {
        org_name: String,
        email: String,
        invited_by: String,
        expires_at: i64,
        account_exists: bool,
        signed_in_as: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_lines_read_plain_and_csv() {
        let lines = parse_bulk(
            "email,role,groups\n\
             ada@example.com\n\
             \n\
             bob@example.com, Editor ,Ops;Support\n\
             \"carol@example.com\",\"Read, only\",\"A|B\"\n\
             not an email,viewer",
        );
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].email, "ada@example.com");
        assert_eq!(lines[0].role, "");
        assert!(lines[0].groups.is_empty());
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[1].role, "Editor");
        assert_eq!(lines[1].groups, ["Ops", "Support"]);
        assert_eq!(lines[2].role, "Read, only");
        assert_eq!(lines[2].groups, ["A", "B"]);
        assert_eq!(lines[3].email, "not an email");
    }

    #[test]
    fn a_header_is_only_skipped_on_the_first_line() {
        let lines = parse_bulk("ada@example.com\nemail,viewer");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].email, "email");
    }

    #[test]
    fn statuses_round_trip() {
        for s in InvitationStatus::ALL {
            assert_eq!(InvitationStatus::parse(s.as_str()), Some(s));
        }
        assert!(InvitationStatus::Expired.is_open());
        assert!(!InvitationStatus::Accepted.is_open());
    }
}

#[cfg(test)]
mod grants_tests {
    use super::*;
    use crate::policy::BuiltinRole;

    #[test]
    fn grants_are_stored_as_json_and_older_descriptions_are_kept_whole() {
        let grants = InvitationGrants {
            roles: vec![GrantedRole {
                role: Some(RoleId::Builtin(BuiltinRole::Viewer)),
                name: "Viewer".into(),
                project: Some("Apollo".into()),
            }],
            groups: vec!["Ops; Night".into()],
        };
        assert_eq!(InvitationGrants::from_stored(&grants.to_stored()), grants);
        let old = InvitationGrants::from_stored("Editor; groups: Ops");
        assert_eq!(old.roles.len(), 1);
        assert_eq!(old.roles[0].role, None);
        assert_eq!(old.roles[0].name, "Editor; groups: Ops");
        assert!(old.groups.is_empty());
    }
}
