-- Open sign-up waits for the person to follow a mailed link before anything is created. Only
-- the SHA-256 of the link's secret and the argon2 hash of the chosen password are kept; the
-- hash is blanked once the link is used. A link works once (used_at) until expires_at.
CREATE TABLE signups (
    id uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    email text NOT NULL,
    name text NOT NULL,
    org_name text NOT NULL,
    password_hash text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint
);
CREATE INDEX signups_by_expiry ON signups (expires_at);
