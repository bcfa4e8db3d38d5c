-- Member search by any part of the name or email. `search_key` holds the member's words, each
-- behind two spaces, then the email address (written by the store from the name and email,
-- `member_search_key`; rows from before this migration are keyed when the server starts).
-- An FTS5 table with the trigram tokenizer indexes it; triggers keep it in step with the
-- memberships in the same transaction.
ALTER TABLE memberships ADD COLUMN search_key TEXT NOT NULL DEFAULT '';

-- The index's rowid says whose and which tab an entry is: organization number << 34 | status
-- (0 active, 1 deactivated, 2 archived) << 32 | member number. A search then reads only the
-- rowid range of one organization's tab, and counts its matches from the index alone.
CREATE TABLE member_search_orgs (
    org_id TEXT PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    -- The last member number given out in this organization.
    members INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE member_search_rows (
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    member_seq INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id),
    UNIQUE (org_id, member_seq)
);
CREATE VIEW member_search_base AS
    SELECT r.org_id, r.user_id, (o.seq << 34) + r.member_seq AS base
    FROM member_search_rows r JOIN member_search_orgs o ON o.org_id = r.org_id;

-- Contentless: the text is in memberships.search_key; the index only finds the rows.
CREATE VIRTUAL TABLE member_search USING fts5 (
    search_key, content = '', contentless_delete = 1, tokenize = 'trigram'
);

INSERT INTO member_search_orgs (org_id, seq, members)
    SELECT org_id, row_number() OVER (ORDER BY org_id), count(*)
    FROM memberships GROUP BY org_id;
INSERT INTO member_search_rows (org_id, user_id, member_seq)
    SELECT org_id, user_id, row_number() OVER (PARTITION BY org_id ORDER BY user_id)
    FROM memberships;

CREATE TRIGGER member_search_insert AFTER INSERT ON memberships
BEGIN
    INSERT OR IGNORE INTO member_search_orgs (org_id, seq)
        VALUES (NEW.org_id, (SELECT coalesce(max(seq), 0) + 1 FROM member_search_orgs));
    UPDATE member_search_orgs SET members = members + 1 WHERE org_id = NEW.org_id;
    INSERT INTO member_search_rows (org_id, user_id, member_seq)
        SELECT NEW.org_id, NEW.user_id, members FROM member_search_orgs WHERE org_id = NEW.org_id;
    INSERT INTO member_search (rowid, search_key)
        SELECT base + ((CASE NEW.status WHEN 'active' THEN 0 WHEN 'deactivated' THEN 1 ELSE 2 END) << 32),
               NEW.search_key
        FROM member_search_base
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id AND NEW.search_key <> '';
END;

CREATE TRIGGER member_search_update AFTER UPDATE OF status, search_key ON memberships
WHEN OLD.status IS NOT NEW.status OR OLD.search_key IS NOT NEW.search_key
BEGIN
    DELETE FROM member_search WHERE rowid = (
        SELECT base + ((CASE OLD.status WHEN 'active' THEN 0 WHEN 'deactivated' THEN 1 ELSE 2 END) << 32)
        FROM member_search_base WHERE org_id = OLD.org_id AND user_id = OLD.user_id);
    INSERT INTO member_search (rowid, search_key)
        SELECT base + ((CASE NEW.status WHEN 'active' THEN 0 WHEN 'deactivated' THEN 1 ELSE 2 END) << 32),
               NEW.search_key
        FROM member_search_base
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id AND NEW.search_key <> '';
END;

CREATE TRIGGER member_search_delete AFTER DELETE ON memberships
BEGIN
    DELETE FROM member_search WHERE rowid = (
        SELECT base + ((CASE OLD.status WHEN 'active' THEN 0 WHEN 'deactivated' THEN 1 ELSE 2 END) << 32)
        FROM member_search_base WHERE org_id = OLD.org_id AND user_id = OLD.user_id);
    DELETE FROM member_search_rows WHERE org_id = OLD.org_id AND user_id = OLD.user_id;
END;
