-- Open sign-up waits for the person to follow a mailed link before anything is created. Only
-- the SHA-256 of the link's secret and the argon2 hash of the chosen password are kept; the
-- hash is blanked once the link is used. A link works once (used_at) until expires_at.
CREATE TABLE signups (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    org_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX signups_by_expiry ON signups (expires_at);
