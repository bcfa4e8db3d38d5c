-- The members list filtered by a group, or by a role or a group together with two-factor
-- sign-in, walks one index in name order, like the role filter alone (migration 0004): each
-- group membership carries the member's status, sort key and second factor, and each role
-- holder the second factor. A group's total in each status is a counter. Triggers keep all of
-- it exact in the same transaction as the change they follow.

ALTER TABLE group_members ADD COLUMN status text NOT NULL DEFAULT '';
ALTER TABLE group_members ADD COLUMN name_key text NOT NULL DEFAULT '';
ALTER TABLE group_members ADD COLUMN two_factor boolean NOT NULL DEFAULT false;
UPDATE group_members g SET status = m.status, name_key = m.name_key, two_factor = m.two_factor
    FROM memberships m WHERE m.org_id = g.org_id AND m.user_id = g.user_id;
CREATE INDEX group_members_by_name ON group_members (group_id, org_id, status, name_key COLLATE "C", user_id);
CREATE INDEX group_members_by_two_factor
    ON group_members (group_id, org_id, status, two_factor, name_key COLLATE "C", user_id);

ALTER TABLE role_holders ADD COLUMN two_factor boolean NOT NULL DEFAULT false;
UPDATE role_holders h SET two_factor = m.two_factor
    FROM memberships m WHERE m.org_id = h.org_id AND m.user_id = h.user_id;
CREATE INDEX role_holders_by_two_factor
    ON role_holders (org_id, role_id, status, two_factor, name_key COLLATE "C", user_id);

CREATE TABLE group_member_counts (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    status text NOT NULL,
    n bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, status)
);
INSERT INTO group_member_counts (group_id, status, n)
    SELECT group_id, status, count(*) FROM group_members WHERE status <> '' GROUP BY group_id, status;

-- Role holders are recomputed from the base tables (migration 0004): now with the second factor.
CREATE OR REPLACE FUNCTION role_holders_refresh(orgs uuid[], users uuid[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM role_holders h USING unnest(orgs, users) AS c (org_id, user_id)
        WHERE h.org_id = c.org_id AND h.user_id = c.user_id;
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key, two_factor)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key, m.two_factor
        FROM unnest(orgs, users) AS c (org_id, user_id)
        JOIN memberships m ON m.org_id = c.org_id AND m.user_id = c.user_id
        JOIN role_sources s ON s.org_id = c.org_id AND s.user_id = c.user_id;
$$;

-- A new group membership takes the member's copies.
CREATE FUNCTION group_members_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT m.status, m.name_key, m.two_factor INTO NEW.status, NEW.name_key, NEW.two_factor
        FROM memberships m WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id;
    NEW.status := coalesce(NEW.status, '');
    NEW.name_key := coalesce(NEW.name_key, '');
    NEW.two_factor := coalesce(NEW.two_factor, false);
    RETURN NEW;
END;
$$;
CREATE TRIGGER group_members_copy BEFORE INSERT ON group_members
    FOR EACH ROW EXECUTE FUNCTION group_members_copy();

-- A change to memberships reaches the group memberships' copies (role holders are recomputed
-- by migration 0004's triggers).
CREATE FUNCTION group_members_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE group_members g SET status = c.status, name_key = c.name_key, two_factor = c.two_factor
        FROM changed c
        WHERE g.org_id = c.org_id AND g.user_id = c.user_id
          AND (g.status, g.name_key, g.two_factor) IS DISTINCT FROM (c.status, c.name_key, c.two_factor);
    RETURN NULL;
END;
$$;
CREATE TRIGGER group_members_follow AFTER UPDATE ON memberships
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION group_members_follow();

CREATE FUNCTION group_member_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE group_member_counts c SET n = c.n - r.k
            FROM (SELECT group_id, status, count(*) AS k FROM removed GROUP BY group_id, status) r
            WHERE c.group_id = r.group_id AND c.status = r.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO group_member_counts (group_id, status, n)
            SELECT a.group_id, a.status, count(*) FROM added a
            WHERE a.status <> '' AND EXISTS (SELECT 1 FROM groups g WHERE g.id = a.group_id)
            GROUP BY a.group_id, a.status
            ON CONFLICT (group_id, status) DO UPDATE SET n = group_member_counts.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER group_members_counted_insert AFTER INSERT ON group_members
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION group_member_counts_change();
CREATE TRIGGER group_members_counted_delete AFTER DELETE ON group_members
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION group_member_counts_change();
CREATE TRIGGER group_members_counted_update AFTER UPDATE ON group_members
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION group_member_counts_change();
