-- Times are integer milliseconds since the Unix epoch, UTC. Ids are UUID v7 text.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    invitation_lifetime_hours INTEGER NOT NULL DEFAULT 72,
    pending_invitation_limit INTEGER NOT NULL DEFAULT 50,
    require_two_factor INTEGER NOT NULL DEFAULT 0,
    default_language TEXT NOT NULL DEFAULT 'en',
    directory_managed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    -- Stored lower-cased: emails compare case-insensitively.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    created_at INTEGER NOT NULL,
    last_sign_in_at INTEGER
);

CREATE TABLE memberships (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('active', 'deactivated', 'archived')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- principal_type: 'user', 'group' or 'token'; role_id: 'viewer', 'editor', 'admin' or a custom role's UUID.
CREATE TABLE role_bindings (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    principal_type TEXT NOT NULL CHECK (principal_type IN ('user', 'group', 'token')),
    principal_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    project_id TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX role_bindings_unique
    ON role_bindings (org_id, principal_type, principal_id, role_id, coalesce(project_id, ''));
CREATE INDEX role_bindings_by_role ON role_bindings (org_id, role_id);

CREATE TABLE sessions (
    -- SHA-256 of the session secret; the secret itself is never stored.
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    client_addr TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    target_label TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    client_addr TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_events_by_org_time ON audit_events (org_id, created_at DESC, id DESC);

-- Nothing edits or deletes audit events.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
