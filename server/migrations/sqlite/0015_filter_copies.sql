-- The members list filtered by a group, or by a role or a group together with two-factor
-- sign-in, walks one index in name order, like the role filter alone (migration 0004): each
-- group membership carries the member's status, sort key and second factor, and each role
-- holder the second factor. A group's total in each status is a counter. Triggers keep all of
-- it exact in the same transaction as the change they follow.

ALTER TABLE group_members ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE group_members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE group_members ADD COLUMN two_factor INTEGER NOT NULL DEFAULT 0;
UPDATE group_members SET (status, name_key, two_factor) = (
    SELECT m.status, m.name_key, m.two_factor FROM memberships m
    WHERE m.org_id = group_members.org_id AND m.user_id = group_members.user_id)
WHERE EXISTS (SELECT 1 FROM memberships m
    WHERE m.org_id = group_members.org_id AND m.user_id = group_members.user_id);
CREATE INDEX group_members_by_name ON group_members (group_id, org_id, status, name_key, user_id);
CREATE INDEX group_members_by_two_factor
    ON group_members (group_id, org_id, status, two_factor, name_key, user_id);

ALTER TABLE role_holders ADD COLUMN two_factor INTEGER NOT NULL DEFAULT 0;
UPDATE role_holders SET two_factor = (
    SELECT m.two_factor FROM memberships m
    WHERE m.org_id = role_holders.org_id AND m.user_id = role_holders.user_id)
WHERE EXISTS (SELECT 1 FROM memberships m
    WHERE m.org_id = role_holders.org_id AND m.user_id = role_holders.user_id);
CREATE INDEX role_holders_by_two_factor
    ON role_holders (org_id, role_id, status, two_factor, name_key, user_id);

-- A search combined with a filter reads, for each match, whose it is from this index alone.
CREATE INDEX member_search_rows_by_seq ON member_search_rows (org_id, member_seq, user_id);

CREATE TABLE group_member_counts (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, status)
);
INSERT INTO group_member_counts (group_id, status, n)
    SELECT group_id, status, count(*) FROM group_members WHERE status <> '' GROUP BY group_id, status;

-- A new group membership or role holder takes the member's copies.
CREATE TRIGGER group_members_copy AFTER INSERT ON group_members
BEGIN
    UPDATE group_members SET (status, name_key, two_factor) = (
        SELECT m.status, m.name_key, m.two_factor FROM memberships m
        WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id)
    WHERE group_id = NEW.group_id AND user_id = NEW.user_id
      AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id);
END;

CREATE TRIGGER role_holders_copy AFTER INSERT ON role_holders
BEGIN
    UPDATE role_holders SET two_factor = (
        SELECT m.two_factor FROM memberships m WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id)
    WHERE org_id = NEW.org_id AND role_id = NEW.role_id AND user_id = NEW.user_id
      AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id);
END;

-- A change to the membership reaches its copies (role holders follow status and sort key
-- through migration 0004's triggers already).
CREATE TRIGGER memberships_follow_copies AFTER UPDATE OF status, name_key, two_factor ON memberships
WHEN OLD.status IS NOT NEW.status OR OLD.name_key IS NOT NEW.name_key
  OR OLD.two_factor IS NOT NEW.two_factor
BEGIN
    UPDATE group_members SET status = NEW.status, name_key = NEW.name_key, two_factor = NEW.two_factor
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
    UPDATE role_holders SET two_factor = NEW.two_factor
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id AND two_factor IS NOT NEW.two_factor;
END;

CREATE TRIGGER group_members_counted_insert AFTER INSERT ON group_members
WHEN NEW.status <> ''
BEGIN
    INSERT INTO group_member_counts (group_id, status, n) VALUES (NEW.group_id, NEW.status, 1)
        ON CONFLICT (group_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER group_members_counted_update AFTER UPDATE OF status ON group_members
WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE group_member_counts SET n = n - 1 WHERE group_id = OLD.group_id AND status = OLD.status;
    INSERT INTO group_member_counts (group_id, status, n)
        SELECT NEW.group_id, NEW.status, 1 WHERE NEW.status <> ''
        ON CONFLICT (group_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER group_members_counted_delete AFTER DELETE ON group_members
BEGIN
    UPDATE group_member_counts SET n = n - 1 WHERE group_id = OLD.group_id AND status = OLD.status;
END;
