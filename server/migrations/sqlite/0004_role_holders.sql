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
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    name_key TEXT NOT NULL,
    PRIMARY KEY (org_id, role_id, user_id)
);
CREATE INDEX role_holders_by_name ON role_holders (org_id, role_id, status, name_key, user_id);
CREATE INDEX role_holders_by_user ON role_holders (org_id, user_id);

CREATE TABLE role_holder_counts (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, role_id, status)
);

INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
    SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
    FROM role_sources s JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id;
INSERT INTO role_holder_counts (org_id, role_id, status, n)
    SELECT org_id, role_id, status, count(*) FROM role_holders GROUP BY org_id, role_id, status;

CREATE TRIGGER role_holders_counted_insert AFTER INSERT ON role_holders
BEGIN
    INSERT INTO role_holder_counts (org_id, role_id, status, n)
        VALUES (NEW.org_id, NEW.role_id, NEW.status, 1)
        ON CONFLICT (org_id, role_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER role_holders_counted_delete AFTER DELETE ON role_holders
BEGIN
    UPDATE role_holder_counts SET n = n - 1
        WHERE org_id = OLD.org_id AND role_id = OLD.role_id AND status = OLD.status;
END;

-- A binding changes the roles of its user, or of every member of its group.
CREATE TRIGGER role_holders_binding_insert AFTER INSERT ON role_bindings
BEGIN
    DELETE FROM role_holders WHERE org_id = NEW.org_id AND user_id IN (
        SELECT NEW.principal_id WHERE NEW.principal_type = 'user'
        UNION SELECT user_id FROM group_members
              WHERE NEW.principal_type = 'group' AND group_id = NEW.principal_id);
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
        FROM role_sources s JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id
        WHERE s.org_id = NEW.org_id AND s.user_id IN (
            SELECT NEW.principal_id WHERE NEW.principal_type = 'user'
            UNION SELECT user_id FROM group_members
                  WHERE NEW.principal_type = 'group' AND group_id = NEW.principal_id);
END;

CREATE TRIGGER role_holders_binding_delete AFTER DELETE ON role_bindings
BEGIN
    DELETE FROM role_holders WHERE org_id = OLD.org_id AND user_id IN (
        SELECT OLD.principal_id WHERE OLD.principal_type = 'user'
        UNION SELECT user_id FROM group_members
              WHERE OLD.principal_type = 'group' AND group_id = OLD.principal_id);
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
        FROM role_sources s JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id
        WHERE s.org_id = OLD.org_id AND s.user_id IN (
            SELECT OLD.principal_id WHERE OLD.principal_type = 'user'
            UNION SELECT user_id FROM group_members
                  WHERE OLD.principal_type = 'group' AND group_id = OLD.principal_id);
END;

-- Joining or leaving a group changes that member's roles.
CREATE TRIGGER role_holders_group_member_insert AFTER INSERT ON group_members
BEGIN
    DELETE FROM role_holders WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
        FROM role_sources s JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id
        WHERE s.org_id = NEW.org_id AND s.user_id = NEW.user_id;
END;

CREATE TRIGGER role_holders_group_member_delete AFTER DELETE ON group_members
BEGIN
    DELETE FROM role_holders WHERE org_id = OLD.org_id AND user_id = OLD.user_id;
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, m.status, m.name_key
        FROM role_sources s JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id
        WHERE s.org_id = OLD.org_id AND s.user_id = OLD.user_id;
END;

-- The membership supplies the status and sort key (and may arrive after the bindings).
CREATE TRIGGER role_holders_membership_insert AFTER INSERT ON memberships
BEGIN
    DELETE FROM role_holders WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, NEW.status, NEW.name_key
        FROM role_sources s WHERE s.org_id = NEW.org_id AND s.user_id = NEW.user_id;
END;

CREATE TRIGGER role_holders_membership_update AFTER UPDATE OF status, name_key ON memberships
WHEN OLD.status <> NEW.status OR OLD.name_key <> NEW.name_key
BEGIN
    DELETE FROM role_holders WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
    INSERT INTO role_holders (org_id, role_id, user_id, status, name_key)
        SELECT DISTINCT s.org_id, s.role_id, s.user_id, NEW.status, NEW.name_key
        FROM role_sources s WHERE s.org_id = NEW.org_id AND s.user_id = NEW.user_id;
END;

CREATE TRIGGER role_holders_membership_delete AFTER DELETE ON memberships
BEGIN
    DELETE FROM role_holders WHERE org_id = OLD.org_id AND user_id = OLD.user_id;
END;
