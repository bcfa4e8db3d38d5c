//! What an error says, as a stable code and its parameters: the sentence is taken from the
//! catalogue (`errors` namespace) in the language of the request, at the edge (server functions,
//! the REST API). English lives only in `locales/en/errors.json`.
//!
//! Long because it is a table: one arm per code, each naming its catalogue key and parameters
//! (the keys are checked at compile time, so they cannot be looked up by a string).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A sentence by its catalogue key (`errors.<code>`) and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Wording {
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Wording {
    pub fn new(code: &str) -> Self {
        Wording {
            code: code.to_string(),
            params: BTreeMap::new(),
        }
    }

    /// Adds a placeholder's value (numbers of plural sentences go in as `count`).
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_string(), value.to_string());
        self
    }

    /// A placeholder's value, empty if it was not given.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// The number that picks a plural form.
    pub fn count(&self) -> u64 {
        self.param("count").parse().unwrap_or(0)
    }
}

pub use catalogue::{CODES, sentence};

mod catalogue {
    use super::Wording;
    use crate::core::language::Language;
    use crate::i18n::td_string;

    /// Every code [`sentence`] knows.
    pub const CODES: &[&str] = &[
        "last_admin",
        "invitation_open",
        "invitation_used",
        "invitation_withdrawn",
        "invitation_expired",
        "invitation_cap",
        "invitation_closed",
        "invitation_other_account",
        "invitation_no_longer_valid",
        "unchanged_active",
        "unchanged_deactivated",
        "unchanged_archived",
        "archived_already",
        "archived",
        "has_tokens",
        "owns_projects",
        "limit_reached_custom_roles",
        "limit_reached_groups",
        "limit_reached_projects",
        "limit_reached_tokens",
        "already_member",
        "already_invited_pending",
        "already_invited_expired",
        "already_invited_open",
        "role_in_use",
        "email_taken",
        "email_taken_signup",
        "email_taken_invitation",
        "org_name_taken",
        "not_first",
        "role_name_taken",
        "role_name_builtin",
        "group_name_taken",
        "project_name_taken",
        "builtin_role_edited",
        "builtin_role_deleted",
        "token_revoked",
        "signup_used",
        "signup_expired",
        "field_email_empty",
        "field_email_long",
        "field_email_shape",
        "field_name_empty",
        "field_name_long",
        "field_name_control",
        "field_org_name_empty",
        "field_org_name_long",
        "field_org_name_control",
        "field_org_name_letter",
        "field_password_short",
        "field_password_long",
        "field_password_common",
        "field_password_empty",
        "field_role_name_empty",
        "field_group_name_empty",
        "field_project_name_empty",
        "field_short_name_long",
        "field_short_name_control",
        "field_bindings_many",
        "field_groups_many",
        "field_token_name_empty",
        "field_token_name_shape",
        "field_token_expiry",
        "field_lifetime_range",
        "field_pending_limit_range",
        "field_custom_role_limit_range",
        "field_group_limit_range",
        "field_project_limit_range",
        "field_token_limit_range",
        "field_members_page",
        "field_search_long",
        "field_description_long",
        "field_not_permission",
        "field_permissions_empty",
        "field_owner_missing",
        "field_unknown_role",
        "field_unknown_group",
        "field_unknown_project",
        "field_not_active_member",
        "field_not_member",
        "field_lines_many",
        "field_limit_range",
        "field_not_time",
        "field_text_long",
        "field_export_format",
        "field_form_unreadable",
        "field_language",
        "field_default_language",
        "field_status_remove",
        "field_new_owner_same",
        "field_invitation_for",
        "field_body_json",
        "field_body_shape",
        "field_query_invalid",
        "field_cursor_stale",
        "forbidden_grant",
        "forbidden_permission",
        "forbidden_leave",
        "forbidden_regenerate",
        "forbidden_deactivated",
        "forbidden_create_org",
        "forbidden_org_token",
        "forbidden_signup_closed",
        "forbidden_cross_site",
        "forbidden_no_origin",
        "unauthorized_sign_in",
        "unauthorized_sign_in_first",
        "unauthorized_accept",
        "unauthorized_credentials",
        "unauthorized_token_missing",
        "unauthorized_token_invalid",
        "unauthorized_token_scheme",
        "unauthorized_token_expired",
        "unauthorized_token_owner",
        "rate_token",
        "rate_signup",
        "rate_attempts",
        "rate_sign_in_seconds",
        "rate_sign_in_minutes",
        "not_found",
        "internal",
        "busy",
    ];

    /// The sentence for `w` in `lang`; `None` for a code the catalogue does not have.
    pub fn sentence(w: &Wording, lang: Language) -> Option<String> {
        let l = lang.locale();
        Some(match w.code.as_str() {
            "last_admin" => td_string!(l, errors.last_admin).to_string(),
            "invitation_open" => td_string!(l, errors.invitation_open).to_string(),
            "invitation_used" => td_string!(l, errors.invitation_used).to_string(),
            "invitation_withdrawn" => td_string!(l, errors.invitation_withdrawn).to_string(),
            "invitation_expired" => td_string!(l, errors.invitation_expired).to_string(),
            "invitation_cap" => td_string!(
                l,
                errors.invitation_cap,
                n = w.param("n"),
                count = w.count()
            )
            .to_string(),
            "invitation_closed" => td_string!(l, errors.invitation_closed).to_string(),
            "invitation_other_account" => {
                td_string!(l, errors.invitation_other_account, email = w.param("email")).to_string()
            }
            "invitation_no_longer_valid" => {
                td_string!(l, errors.invitation_no_longer_valid, org = w.param("org")).to_string()
            }
            "unchanged_active" => td_string!(l, errors.unchanged_active).to_string(),
            "unchanged_deactivated" => td_string!(l, errors.unchanged_deactivated).to_string(),
            "unchanged_archived" => td_string!(l, errors.unchanged_archived).to_string(),
            "archived_already" => td_string!(l, errors.archived_already).to_string(),
            "archived" => td_string!(l, errors.archived).to_string(),
            "has_tokens" => td_string!(l, errors.has_tokens, count = w.count()).to_string(),
            "owns_projects" => td_string!(l, errors.owns_projects, count = w.count()).to_string(),
            "limit_reached_custom_roles" => td_string!(
                l,
                errors.limit_reached_custom_roles,
                n = w.param("n"),
                count = w.count()
            )
            .to_string(),
            "limit_reached_groups" => td_string!(
                l,
                errors.limit_reached_groups,
                n = w.param("n"),
                count = w.count()
            )
            .to_string(),
            "limit_reached_projects" => td_string!(
                l,
                errors.limit_reached_projects,
                n = w.param("n"),
                count = w.count()
            )
            .to_string(),
            "limit_reached_tokens" => td_string!(
                l,
                errors.limit_reached_tokens,
                n = w.param("n"),
                count = w.count()
            )
            .to_string(),
            "already_member" => {
                td_string!(l, errors.already_member, email = w.param("email")).to_string()
            }
            "already_invited_pending" => {
                td_string!(l, errors.already_invited_pending, email = w.param("email")).to_string()
            }
            "already_invited_expired" => {
                td_string!(l, errors.already_invited_expired, email = w.param("email")).to_string()
            }
            "already_invited_open" => td_string!(l, errors.already_invited_open).to_string(),
            "role_in_use" => td_string!(l, errors.role_in_use, usage = usage(w, lang)).to_string(),
            "email_taken" => td_string!(l, errors.email_taken).to_string(),
            "email_taken_signup" => {
                td_string!(l, errors.email_taken_signup, email = w.param("email")).to_string()
            }
            "email_taken_invitation" => {
                td_string!(l, errors.email_taken_invitation, email = w.param("email")).to_string()
            }
            "org_name_taken" => td_string!(l, errors.org_name_taken).to_string(),
            "not_first" => td_string!(l, errors.not_first).to_string(),
            "role_name_taken" => td_string!(l, errors.role_name_taken).to_string(),
            "role_name_builtin" => {
                td_string!(l, errors.role_name_builtin, name = w.param("name")).to_string()
            }
            "group_name_taken" => td_string!(l, errors.group_name_taken).to_string(),
            "project_name_taken" => td_string!(l, errors.project_name_taken).to_string(),
            "builtin_role_edited" => {
                td_string!(l, errors.builtin_role_edited, name = w.param("name")).to_string()
            }
            "builtin_role_deleted" => {
                td_string!(l, errors.builtin_role_deleted, name = w.param("name")).to_string()
            }
            "token_revoked" => td_string!(l, errors.token_revoked).to_string(),
            "signup_used" => td_string!(l, errors.signup_used).to_string(),
            "signup_expired" => td_string!(l, errors.signup_expired).to_string(),
            "field_email_empty" => td_string!(l, errors.field_email_empty).to_string(),
            "field_email_long" => {
                td_string!(l, errors.field_email_long, max = w.param("max")).to_string()
            }
            "field_email_shape" => td_string!(l, errors.field_email_shape).to_string(),
            "field_name_empty" => td_string!(l, errors.field_name_empty).to_string(),
            "field_name_long" => {
                td_string!(l, errors.field_name_long, max = w.param("max")).to_string()
            }
            "field_name_control" => td_string!(l, errors.field_name_control).to_string(),
            "field_org_name_empty" => td_string!(l, errors.field_org_name_empty).to_string(),
            "field_org_name_long" => {
                td_string!(l, errors.field_org_name_long, max = w.param("max")).to_string()
            }
            "field_org_name_control" => td_string!(l, errors.field_org_name_control).to_string(),
            "field_org_name_letter" => td_string!(l, errors.field_org_name_letter).to_string(),
            "field_password_short" => {
                td_string!(l, errors.field_password_short, min = w.param("min")).to_string()
            }
            "field_password_long" => {
                td_string!(l, errors.field_password_long, max = w.param("max")).to_string()
            }
            "field_password_common" => td_string!(l, errors.field_password_common).to_string(),
            "field_password_empty" => td_string!(l, errors.field_password_empty).to_string(),
            "field_role_name_empty" => td_string!(l, errors.field_role_name_empty).to_string(),
            "field_group_name_empty" => td_string!(l, errors.field_group_name_empty).to_string(),
            "field_project_name_empty" => {
                td_string!(l, errors.field_project_name_empty).to_string()
            }
            "field_short_name_long" => {
                td_string!(l, errors.field_short_name_long, max = w.param("max")).to_string()
            }
            "field_short_name_control" => {
                td_string!(l, errors.field_short_name_control).to_string()
            }
            "field_bindings_many" => {
                td_string!(l, errors.field_bindings_many, max = w.param("max")).to_string()
            }
            "field_groups_many" => {
                td_string!(l, errors.field_groups_many, max = w.param("max")).to_string()
            }
            "field_token_name_empty" => td_string!(l, errors.field_token_name_empty).to_string(),
            "field_token_name_shape" => {
                td_string!(l, errors.field_token_name_shape, max = w.param("max")).to_string()
            }
            "field_token_expiry" => td_string!(l, errors.field_token_expiry).to_string(),
            "field_lifetime_range" => {
                td_string!(l, errors.field_lifetime_range, max = w.param("max")).to_string()
            }
            "field_pending_limit_range" => {
                td_string!(l, errors.field_pending_limit_range, max = w.param("max")).to_string()
            }
            "field_custom_role_limit_range" => td_string!(
                l,
                errors.field_custom_role_limit_range,
                max = w.param("max")
            )
            .to_string(),
            "field_group_limit_range" => {
                td_string!(l, errors.field_group_limit_range, max = w.param("max")).to_string()
            }
            "field_project_limit_range" => {
                td_string!(l, errors.field_project_limit_range, max = w.param("max")).to_string()
            }
            "field_token_limit_range" => {
                td_string!(l, errors.field_token_limit_range, max = w.param("max")).to_string()
            }
            "field_members_page" => td_string!(l, errors.field_members_page).to_string(),
            "field_search_long" => {
                td_string!(l, errors.field_search_long, max = w.param("max")).to_string()
            }
            "field_description_long" => {
                td_string!(l, errors.field_description_long, max = w.param("max")).to_string()
            }
            "field_not_permission" => td_string!(
                l,
                errors.field_not_permission,
                permission = w.param("permission")
            )
            .to_string(),
            "field_permissions_empty" => td_string!(l, errors.field_permissions_empty).to_string(),
            "field_owner_missing" => td_string!(l, errors.field_owner_missing).to_string(),
            "field_unknown_role" => {
                td_string!(l, errors.field_unknown_role, role = w.param("role")).to_string()
            }
            "field_unknown_group" => {
                td_string!(l, errors.field_unknown_group, group = w.param("group")).to_string()
            }
            "field_unknown_project" => td_string!(
                l,
                errors.field_unknown_project,
                project = w.param("project")
            )
            .to_string(),
            "field_not_active_member" => {
                td_string!(l, errors.field_not_active_member, user = w.param("user")).to_string()
            }
            "field_not_member" => {
                td_string!(l, errors.field_not_member, user = w.param("user")).to_string()
            }
            "field_lines_many" => {
                td_string!(l, errors.field_lines_many, max = w.param("max")).to_string()
            }
            "field_limit_range" => td_string!(l, errors.field_limit_range).to_string(),
            "field_not_time" => {
                td_string!(l, errors.field_not_time, value = w.param("value")).to_string()
            }
            "field_text_long" => td_string!(
                l,
                errors.field_text_long,
                field = w.param("field"),
                max = w.param("max")
            )
            .to_string(),
            "field_export_format" => {
                td_string!(l, errors.field_export_format, value = w.param("value")).to_string()
            }
            "field_form_unreadable" => td_string!(l, errors.field_form_unreadable).to_string(),
            "field_language" => td_string!(l, errors.field_language).to_string(),
            "field_default_language" => td_string!(l, errors.field_default_language).to_string(),
            "field_status_remove" => td_string!(l, errors.field_status_remove).to_string(),
            "field_new_owner_same" => td_string!(l, errors.field_new_owner_same).to_string(),
            "field_invitation_for" => {
                td_string!(l, errors.field_invitation_for, email = w.param("email")).to_string()
            }
            "field_body_json" => td_string!(l, errors.field_body_json).to_string(),
            "field_body_shape" => {
                td_string!(l, errors.field_body_shape, detail = w.param("detail")).to_string()
            }
            "field_query_invalid" => {
                td_string!(l, errors.field_query_invalid, detail = w.param("detail")).to_string()
            }
            "field_cursor_stale" => td_string!(l, errors.field_cursor_stale).to_string(),
            "forbidden_grant" => td_string!(
                l,
                errors.forbidden_grant,
                permissions = w.param("permissions")
            )
            .to_string(),
            "forbidden_permission" => td_string!(
                l,
                errors.forbidden_permission,
                permission = w.param("permission")
            )
            .to_string(),
            "forbidden_leave" => td_string!(l, errors.forbidden_leave).to_string(),
            "forbidden_regenerate" => td_string!(l, errors.forbidden_regenerate).to_string(),
            "forbidden_deactivated" => {
                td_string!(l, errors.forbidden_deactivated, org = w.param("org")).to_string()
            }
            "forbidden_create_org" => td_string!(l, errors.forbidden_create_org).to_string(),
            "forbidden_org_token" => td_string!(l, errors.forbidden_org_token).to_string(),
            "forbidden_signup_closed" => td_string!(l, errors.forbidden_signup_closed).to_string(),
            "forbidden_cross_site" => td_string!(l, errors.forbidden_cross_site).to_string(),
            "forbidden_no_origin" => td_string!(l, errors.forbidden_no_origin).to_string(),
            "unauthorized_sign_in" => td_string!(l, errors.unauthorized_sign_in).to_string(),
            "unauthorized_sign_in_first" => {
                td_string!(l, errors.unauthorized_sign_in_first).to_string()
            }
            "unauthorized_accept" => td_string!(l, errors.unauthorized_accept).to_string(),
            "unauthorized_credentials" => {
                td_string!(l, errors.unauthorized_credentials).to_string()
            }
            "unauthorized_token_missing" => {
                td_string!(l, errors.unauthorized_token_missing).to_string()
            }
            "unauthorized_token_invalid" => {
                td_string!(l, errors.unauthorized_token_invalid).to_string()
            }
            "unauthorized_token_scheme" => {
                td_string!(l, errors.unauthorized_token_scheme).to_string()
            }
            "unauthorized_token_expired" => {
                td_string!(l, errors.unauthorized_token_expired).to_string()
            }
            "unauthorized_token_owner" => {
                td_string!(l, errors.unauthorized_token_owner).to_string()
            }
            "rate_token" => td_string!(l, errors.rate_token, count = w.count()).to_string(),
            "rate_signup" => td_string!(l, errors.rate_signup, count = w.count()).to_string(),
            "rate_attempts" => td_string!(l, errors.rate_attempts, count = w.count()).to_string(),
            "rate_sign_in_seconds" => {
                td_string!(l, errors.rate_sign_in_seconds, count = w.count()).to_string()
            }
            "rate_sign_in_minutes" => {
                td_string!(l, errors.rate_sign_in_minutes, count = w.count()).to_string()
            }
            "not_found" => td_string!(l, errors.not_found).to_string(),
            "internal" => {
                td_string!(l, errors.internal, reference = w.param("reference")).to_string()
            }
            "busy" => td_string!(l, errors.busy).to_string(),
            _ => return None,
        })
    }

    /// "2 members and 1 group": the counts of `role_in_use` (`members`, `tokens`,
    /// `invitations`, `groups`) that are not zero.
    fn usage(w: &Wording, lang: Language) -> String {
        let l = lang.locale();
        let n = |name: &str| w.param(name).parse::<u64>().unwrap_or(0);
        let mut parts = Vec::new();
        if n("members") > 0 {
            parts.push(td_string!(l, errors.usage_members, count = n("members")).to_string());
        }
        if n("tokens") > 0 {
            parts.push(td_string!(l, errors.usage_tokens, count = n("tokens")).to_string());
        }
        if n("invitations") > 0 {
            parts.push(
                td_string!(l, errors.usage_invitations, count = n("invitations")).to_string(),
            );
        }
        if n("groups") > 0 {
            parts.push(td_string!(l, errors.usage_groups, count = n("groups")).to_string());
        }
        match parts.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => {
                let comma = if lang == Language::Zh { "、" } else { ", " };
                let init = init.join(comma);
                td_string!(l, errors.list_and, init = init, last = last).to_string()
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn sample(code: &str) -> Wording {
            [
                "email",
                "name",
                "org",
                "permission",
                "permissions",
                "role",
                "group",
                "project",
                "user",
                "max",
                "min",
                "n",
                "value",
                "field",
                "detail",
            ]
            .into_iter()
            .fold(Wording::new(code), |w, p| w.with(p, format!("<{p}>")))
            .with("count", 3)
            .with("members", 2)
            .with("groups", 1)
            .with("tokens", 5)
            .with("invitations", 1)
        }

        #[test]
        fn every_code_has_a_sentence_in_every_language() {
            for code in CODES {
                let w = sample(code);
                let en = sentence(&w, Language::En).unwrap_or_default();
                assert!(!en.is_empty(), "{code}: no English sentence");
                for lang in Language::ALL {
                    let s = sentence(&w, lang).unwrap_or_default();
                    assert!(!s.is_empty(), "{code}: nothing in {lang:?}");
                    assert!(!s.contains("{{"), "{code} in {lang:?}: {s}");
                    for p in w.params.keys() {
                        if en.contains(&format!("<{p}>")) {
                            assert!(
                                s.contains(&format!("<{p}>")),
                                "{code} in {lang:?} lacks {p}"
                            );
                        }
                    }
                    if lang != Language::En {
                        assert_ne!(s, en, "{code} in {lang:?} is the English sentence");
                    }
                }
            }
            assert_eq!(sentence(&Wording::new("no_such_code"), Language::De), None);
        }

        #[test]
        fn plurals_follow_the_number() {
            let has = |n: u64, lang| {
                sentence(&Wording::new("has_tokens").with("count", n), lang).unwrap_or_default()
            };
            assert_eq!(
                has(1, Language::En),
                "This member has 1 active access token; revoke them first"
            );
            assert_eq!(
                has(2, Language::En),
                "This member has 2 active access tokens; revoke them first"
            );
            assert!(has(1, Language::Ru).contains("1 активный токен"));
            assert!(has(3, Language::Ru).contains("3 активных токена"));
            assert!(has(5, Language::Ru).contains("5 активных токенов"));
            let usage = Wording::new("role_in_use")
                .with("members", 1)
                .with("groups", 1);
            assert_eq!(
                sentence(&usage, Language::En).as_deref(),
                Some(
                    "This role is still bound to 1 member and 1 group; remove those bindings first"
                )
            );
        }
    }
}
