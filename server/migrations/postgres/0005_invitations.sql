-- Invitations and the outgoing mail that carries them.

-- status: 'pending', 'accepted' or 'withdrawn'; a pending invitation past expires_at is
-- shown as expired. Only the SHA-256 of the link's secret is kept.
CREATE TABLE invitations (
    id uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    status text NOT NULL CHECK (status IN ('pending', 'accepted', 'withdrawn')),
    -- What it grants, named as when it was sent, for the list.
    grants text NOT NULL,
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    invited_by_name text NOT NULL,
    sent_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    closed_at bigint,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at bigint NOT NULL
);
-- One open invitation per address and organization (also when two invites race).
CREATE UNIQUE INDEX invitations_open_email ON invitations (org_id, email) WHERE status = 'pending';
CREATE INDEX invitations_by_org ON invitations (org_id, status, id);

-- The bindings and groups an open invitation will give; dropped when it is answered.
CREATE TABLE invitation_bindings (
    invitation_id uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    role_id text NOT NULL,
    project_id uuid REFERENCES projects (id) ON DELETE CASCADE
);
CREATE INDEX invitation_bindings_by_invitation ON invitation_bindings (invitation_id);
CREATE INDEX invitation_bindings_by_role ON invitation_bindings (role_id);

CREATE TABLE invitation_groups (
    invitation_id uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (invitation_id, group_id)
);

-- The transactional outbox: written in the same transaction as what it announces, delivered
-- by a background worker with retries. Bodies are emptied once sent (they hold link secrets).
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    org_id uuid REFERENCES organizations (id) ON DELETE SET NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    text_body text NOT NULL,
    html_body text NOT NULL,
    -- The link the message is about, for the log when mail goes to a folder.
    link text,
    created_at bigint NOT NULL,
    attempts bigint NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    sent_at bigint,
    failed_at bigint,
    last_error text
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
