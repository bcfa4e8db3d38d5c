-- Whether the member has a second factor, copied onto the membership beside the sort key, so
-- that the members list filtered by 2FA walks one index in name order and counts from it.
-- The store writes it with the membership; a trigger follows the user's enrolment.
ALTER TABLE memberships ADD COLUMN two_factor INTEGER NOT NULL DEFAULT 0;
UPDATE memberships SET two_factor = (SELECT u.two_factor_enabled FROM users u WHERE u.id = memberships.user_id);
CREATE INDEX memberships_by_two_factor ON memberships (org_id, status, two_factor, name_key, user_id);

CREATE TRIGGER memberships_two_factor AFTER UPDATE OF two_factor_enabled ON users
BEGIN
    UPDATE memberships SET two_factor = NEW.two_factor_enabled WHERE user_id = NEW.id;
END;
