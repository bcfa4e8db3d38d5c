-- Who holds each role in each organization (directly or through a group, at organization or
-- project scope), with the member's status and sort key copied beside it, so that the members
-- list filtered by a role walks one index in name order and its total is one counter row.
-- Triggers keep both exact in the same transaction as the change they follow: any change to a
-- member's bindings, groups or membership recomputes that member's rows from the base tables.

-- Every (organization, role, user) a binding gives, once per binding.
CREATE VIEW role_sources AS
    SELECT org_id, role_id, principal_id AS user_id FROM role_bindings WHERE principal_type = 'user'
    UNION ALL
    SELECT rb.org_id, rb.role_id, gm.user_id
    FROM role_bindings rb JOIN group_members gm ON gm.group_id = rb.principal_id
    WHERE rb.principal_type = 'group';

CREATE TABLE role_holders (
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id text NOT NULL,
    user_id uuid NOT NULL,
    status text NOT NULL,
    name_key text NOT NULL,
    PRIMARY KEY (org_id, role_id, user_id)
);
CREATE INDEX role_holders_by_name ON role_holders (org_id, role_id, status, name_key COLLATE "C", user_id);
CREATE INDEX role_holders_by_user ON role_holders (org_id, user_id);

CREATE TABLE role_holder_counts (
    org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id text NOT NULL,
    status text NOT NULL,
    n bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, role_id, status)
);

INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
    SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
    FROM role_sources s JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id;
INSERT INTO role_holder_counts (org_id, role_id, status, n)
    SELECT org_id, role_id, status, count(*) FROM role_holders GROUP BY org_id, role_id, status;

-- Recompute the rows of the given (organization, user) pairs from the base tables.
CREATE FUNCTION role_holders_refresh(orgs uuid[], users uuid[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM role_holders h USING unnest(orgs, users) AS c (org_id, user_id)
        WHERE h.org_id = c.org_id AND h.user_id = c.user_id;
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
        FROM unnest(orgs, users) AS c (org_id, user_id)
        JOIN memberships m ON m.org_id = c.org_id AND m.user_id = c.user_id
        JOIN role_sources s ON s.org_id = c.org_id AND s.user_id = c.user_id;
$$;

-- Statement-level triggers over transition tables (each names its table `changed`): one
-- recomputation per statement, so bulk loads stay set-based.
CREATE FUNCTION role_holders_after_bindings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o uuid[];
    u uuid[];
BEGIN
    SELECT array_agg(x.org_id), array_agg(x.user_id) INTO o, u FROM (
        SELECT c.org_id, c.principal_id AS user_id FROM changed c WHERE c.principal_type = 'user'
        UNION
        SELECT c.org_id, gm.user_id FROM changed c JOIN group_members gm ON gm.group_id = c.principal_id
        WHERE c.principal_type = 'group'
    ) x;
    IF o IS NOT NULL THEN
        PERFORM role_holders_refresh(o, u);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION role_holders_after_members() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o uuid[];
    u uuid[];
BEGIN
    SELECT array_agg(x.org_id), array_agg(x.user_id) INTO o, u
        FROM (SELECT DISTINCT c.org_id, c.user_id FROM changed c) x;
    IF o IS NOT NULL THEN
        PERFORM role_holders_refresh(o, u);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER role_holders_binding_insert AFTER INSERT ON role_bindings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_bindings();
CREATE TRIGGER role_holders_binding_delete AFTER DELETE ON role_bindings
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_bindings();
CREATE TRIGGER role_holders_binding_update AFTER UPDATE ON role_bindings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_bindings();
CREATE TRIGGER role_holders_group_member_insert AFTER INSERT ON group_members
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_members();
CREATE TRIGGER role_holders_group_member_delete AFTER DELETE ON group_members
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_members();
CREATE TRIGGER role_holders_membership_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_members();
CREATE TRIGGER role_holders_membership_update AFTER UPDATE ON memberships
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_members();
CREATE TRIGGER role_holders_membership_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holders_after_members();

CREATE FUNCTION role_holder_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO role_holder_counts (org_id, role_id, status, n)
        SELECT org_id, role_id, status, count(*) FROM changed GROUP BY org_id, role_id, status
        ON CONFLICT (org_id, role_id, status) DO UPDATE SET n = role_holder_counts.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;

CREATE FUNCTION role_holder_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE role_holder_counts c SET n = c.n - r.k
        FROM (SELECT org_id, role_id, status, count(*) AS k FROM changed GROUP BY org_id, role_id, status) r
        WHERE c.org_id = r.org_id AND c.role_id = r.role_id AND c.status = r.status;
    RETURN NULL;
END;
$$;

CREATE TRIGGER role_holders_counted_insert AFTER INSERT ON role_holders
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holder_counts_add();
CREATE TRIGGER role_holders_counted_delete AFTER DELETE ON role_holders
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION role_holder_counts_remove();
