-- How many custom roles, groups, projects and access tokens an organization may have, settable
-- in its settings: every one of them is read inside writes (rule 4, binding checks), so their
-- number is kept bounded. Existing organizations get the defaults.
ALTER TABLE organizations ADD COLUMN custom_role_limit INTEGER NOT NULL DEFAULT 100;
ALTER TABLE organizations ADD COLUMN group_limit INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE organizations ADD COLUMN project_limit INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE organizations ADD COLUMN token_limit INTEGER NOT NULL DEFAULT 1000;
