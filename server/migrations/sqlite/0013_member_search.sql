-- Member search by any part of the name or email (issue: search at 100,000 members and more).
-- `search_key` holds the member's words, each behind two spaces, then the email address
-- (written by the store from the name and email, `member_search_key`; rows from before this
-- migration are filled in when the server starts). An FTS5 table with the trigram tokenizer
-- indexes it; triggers keep it in step with the memberships in the same transaction.
ALTER TABLE memberships ADD COLUMN search_key TEXT NOT NULL DEFAULT '';

-- The FTS table's integer rowid for each membership (a membership's own rowid is not stable).
CREATE TABLE member_search_rows (
    id INTEGER PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    UNIQUE (org_id, user_id)
);

-- Contentless: the text is in memberships.search_key; the index only finds the rows.
CREATE VIRTUAL TABLE member_search USING fts5 (
    search_key, content = '', contentless_delete = 1, tokenize = 'trigram'
);

INSERT INTO member_search_rows (org_id, user_id) SELECT org_id, user_id FROM memberships;

CREATE TRIGGER member_search_insert AFTER INSERT ON memberships
BEGIN
    INSERT INTO member_search_rows (org_id, user_id) VALUES (NEW.org_id, NEW.user_id);
    INSERT INTO member_search (rowid, search_key)
        SELECT id, NEW.search_key FROM member_search_rows
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
END;

CREATE TRIGGER member_search_update AFTER UPDATE OF search_key ON memberships
BEGIN
    DELETE FROM member_search WHERE rowid = (
        SELECT id FROM member_search_rows WHERE org_id = OLD.org_id AND user_id = OLD.user_id);
    INSERT INTO member_search (rowid, search_key)
        SELECT id, NEW.search_key FROM member_search_rows
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
END;

CREATE TRIGGER member_search_delete AFTER DELETE ON memberships
BEGIN
    DELETE FROM member_search WHERE rowid = (
        SELECT id FROM member_search_rows WHERE org_id = OLD.org_id AND user_id = OLD.user_id);
    DELETE FROM member_search_rows WHERE org_id = OLD.org_id AND user_id = OLD.user_id;
END;
