-- Access tokens. Only the SHA-256 of the secret and its last four characters are kept. A
-- token's role is its binding in role_bindings (principal type 'token'), so a custom role that
-- tokens use cannot be deleted while they do.
CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'organization')),
    name TEXT NOT NULL,
    -- The user a user token acts for; NULL for an organization token.
    owner_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_by_name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    last_four TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_used_at INTEGER,
    last_used_addr TEXT
);
CREATE INDEX access_tokens_by_org ON access_tokens (org_id, id);
CREATE INDEX access_tokens_by_owner ON access_tokens (org_id, owner_id);
