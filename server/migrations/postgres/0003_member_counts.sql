-- How many members each organization has in each status, kept exact by a trigger in the same
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

CREATE FUNCTION memberships_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE member_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO member_counts (org_id, status, n) VALUES (NEW.org_id, NEW.status, 1)
            ON CONFLICT (org_id, status) DO UPDATE SET n = member_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER memberships_counted_insert AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_counted();
CREATE TRIGGER memberships_counted_update AFTER UPDATE OF status ON memberships
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION memberships_counted();
