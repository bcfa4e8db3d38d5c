-- Access tokens. Only the SHA-256 of the secret and its last four characters are kept. A
-- token's role is its binding in role_bindings (principal type 'token'), so a custom role that
-- tokens use cannot be deleted while they do.
CREATE TABLE access_tokens (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('user', 'organization')),
    name text NOT NULL,
    -- The user a user token acts for; NULL for an organization token.
    owner_id uuid REFERENCES users (id) ON DELETE CASCADE,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by_name text NOT NULL,
    secret_hash text NOT NULL UNIQUE,
    last_four text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint,
    last_used_at bigint,
    last_used_addr text
);
CREATE INDEX access_tokens_by_org ON access_tokens (org_id, id);
CREATE INDEX access_tokens_by_owner ON access_tokens (org_id, owner_id);
