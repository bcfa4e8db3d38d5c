-- Whether the member has a second factor, copied onto the membership beside the sort key, so
-- that the members list filtered by 2FA walks one index in name order and counts from it.
-- The store writes it with the membership; a trigger follows the user's enrolment.
ALTER TABLE memberships ADD COLUMN two_factor boolean NOT NULL DEFAULT false;
UPDATE memberships m SET two_factor = u.two_factor_enabled FROM users u WHERE u.id = m.user_id;
CREATE INDEX memberships_by_two_factor
    ON memberships (org_id, status, two_factor, name_key COLLATE "C", user_id);

CREATE FUNCTION memberships_follow_two_factor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships SET two_factor = NEW.two_factor_enabled WHERE user_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER memberships_two_factor AFTER UPDATE OF two_factor_enabled ON users
    FOR EACH ROW WHEN (OLD.two_factor_enabled IS DISTINCT FROM NEW.two_factor_enabled)
    EXECUTE FUNCTION memberships_follow_two_factor();
