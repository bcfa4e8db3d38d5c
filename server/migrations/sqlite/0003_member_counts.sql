-- How many members each organization has in each status, kept exact by triggers in the same
-- transaction as the membership change, so the members list's total needs no count over
-- every membership.
CREATE TABLE member_counts (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, status)
);
INSERT INTO member_counts (org_id, status, n)
    SELECT org_id, status, count(*) FROM memberships GROUP BY org_id, status;

CREATE TRIGGER memberships_counted_insert AFTER INSERT ON memberships
BEGIN
    INSERT INTO member_counts (org_id, status, n) VALUES (NEW.org_id, NEW.status, 1)
        ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER memberships_counted_update AFTER UPDATE OF status ON memberships
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE member_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status;
    INSERT INTO member_counts (org_id, status, n) VALUES (NEW.org_id, NEW.status, 1)
        ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER memberships_counted_delete AFTER DELETE ON memberships
BEGIN
    UPDATE member_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status;
END;
