-- How many members each organization has in each status, kept exact by triggers in the same
-- transaction as the membership change, so the members list's total needs no count over
-- every membership.
CREATE TABLE member_counts (
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status text NOT NULL,
    n bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, status)
);
INSERT INTO member_counts (org_id, status, n)
    SELECT org_id, status, count(*) FROM memberships GROUP BY org_id, status;

-- Statement-level triggers with transition tables: one aggregated change per statement, so a
-- bulk insert of 100,000 memberships updates each counter once, not 100,000 times.
CREATE FUNCTION member_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_counts (org_id, status, n)
        SELECT org_id, status, count(*) FROM added GROUP BY org_id, status
        ON CONFLICT (org_id, status) DO UPDATE SET n = member_counts.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;

CREATE FUNCTION member_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_counts c SET n = c.n - r.k
        FROM (SELECT org_id, status, count(*) AS k FROM removed GROUP BY org_id, status) r
        WHERE c.org_id = r.org_id AND c.status = r.status;
    RETURN NULL;
END;
$$;

CREATE FUNCTION member_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_counts c SET n = c.n - r.k
        FROM (SELECT org_id, status, count(*) AS k FROM removed GROUP BY org_id, status) r
        WHERE c.org_id = r.org_id AND c.status = r.status;
    INSERT INTO member_counts (org_id, status, n)
        SELECT org_id, status, count(*) FROM added GROUP BY org_id, status
        ON CONFLICT (org_id, status) DO UPDATE SET n = member_counts.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_counted_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION member_counts_add();
CREATE TRIGGER memberships_counted_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION member_counts_remove();
CREATE TRIGGER memberships_counted_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION member_counts_change();
