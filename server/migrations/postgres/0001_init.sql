-- Times are bigint milliseconds since the Unix epoch, UTC. Ids are UUID v7.

CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    name text NOT NULL,
    invitation_lifetime_hours integer NOT NULL DEFAULT 72,
    pending_invitation_limit integer NOT NULL DEFAULT 50,
    require_two_factor boolean NOT NULL DEFAULT false,
    default_language text NOT NULL DEFAULT 'en',
    directory_managed boolean NOT NULL DEFAULT false,
    created_at bigint NOT NULL
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    -- Stored lower-cased: emails compare case-insensitively.
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    password_hash text NOT NULL,
    language text NOT NULL DEFAULT 'en',
    created_at bigint NOT NULL,
    last_sign_in_at bigint
);

CREATE TABLE memberships (
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('active', 'deactivated', 'archived')),
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- principal_type: 'user', 'group' or 'token'; role_id: 'viewer', 'editor', 'admin' or a custom role's UUID.
CREATE TABLE role_bindings (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    principal_type text NOT NULL CHECK (principal_type IN ('user', 'group', 'token')),
    principal_id uuid NOT NULL,
    role_id text NOT NULL,
    project_id uuid,
    created_at bigint NOT NULL
);
CREATE UNIQUE INDEX role_bindings_unique
    ON role_bindings (org_id, principal_type, principal_id, role_id, coalesce(project_id, '00000000-0000-0000-0000-000000000000'));
CREATE INDEX role_bindings_by_role ON role_bindings (org_id, role_id);

CREATE TABLE sessions (
    -- SHA-256 of the session secret; the secret itself is never stored.
    id_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    client_addr text,
    user_agent text
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    org_id uuid,
    actor_type text NOT NULL,
    actor_id text,
    actor_label text NOT NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text,
    target_label text NOT NULL,
    before_json jsonb,
    after_json jsonb,
    client_addr text,
    created_at bigint NOT NULL
);
CREATE INDEX audit_events_by_org_time ON audit_events (org_id, created_at DESC, id DESC);

-- Nothing edits or deletes audit events.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
