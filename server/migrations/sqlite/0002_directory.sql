-- Members, custom roles, groups and projects.

-- Whether the user has a second factor (set by TOTP enrolment); the members list filters on it.
ALTER TABLE users ADD COLUMN two_factor_enabled INTEGER NOT NULL DEFAULT 0;

-- The member's sort key and email, copied onto the membership so that listing, searching and
-- paging one organization's members is served by one index each (kept in step with users).
ALTER TABLE memberships ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN email TEXT NOT NULL DEFAULT '';
UPDATE memberships SET
    name_key = (SELECT lower(u.name) FROM users u WHERE u.id = memberships.user_id),
    email = (SELECT u.email FROM users u WHERE u.id = memberships.user_id);
CREATE INDEX memberships_by_name ON memberships (org_id, status, name_key, user_id);
CREATE INDEX memberships_by_email ON memberships (org_id, status, email);

CREATE TABLE custom_roles (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- Space-separated permission names from the catalogue.
    permissions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX custom_roles_name ON custom_roles (org_id, lower(name));

CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups (org_id, lower(name));

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (org_id, user_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX projects_name ON projects (org_id, lower(name));
CREATE INDEX projects_by_owner ON projects (org_id, owner_id);

CREATE INDEX role_bindings_by_principal ON role_bindings (org_id, principal_type, principal_id);
