-- Members, custom roles, groups and projects.

-- Whether the user has a second factor (set by TOTP enrolment); the members list filters on it.
ALTER TABLE users ADD COLUMN two_factor_enabled boolean NOT NULL DEFAULT false;

-- The member's sort key and email, copied onto the membership so that listing, searching and
-- paging one organization's members is served by one index each (kept in step with users).
ALTER TABLE memberships ADD COLUMN name_key text NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN email text NOT NULL DEFAULT '';
UPDATE memberships m SET name_key = lower(u.name), email = u.email FROM users u WHERE u.id = m.user_id;
-- "C" collation: byte order, the same order as SQLite's, and usable for prefix LIKE.
CREATE INDEX memberships_by_name ON memberships (org_id, status, name_key COLLATE "C", user_id);
CREATE INDEX memberships_by_email ON memberships (org_id, status, email COLLATE "C");

CREATE TABLE custom_roles (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    -- Space-separated permission names from the catalogue.
    permissions text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX custom_roles_name ON custom_roles (org_id, lower(name));

CREATE TABLE groups (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    created_at bigint NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups (org_id, lower(name));

CREATE TABLE group_members (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    org_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (org_id, user_id);

CREATE TABLE projects (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    owner_id uuid NOT NULL REFERENCES users (id),
    created_at bigint NOT NULL
);
CREATE UNIQUE INDEX projects_name ON projects (org_id, lower(name));
CREATE INDEX projects_by_owner ON projects (org_id, owner_id);

CREATE INDEX role_bindings_by_principal ON role_bindings (org_id, principal_type, principal_id);
