-- Member search by any part of the name or email (issue: search at 100,000 members and more).
-- `search_key` holds the member's words, each behind two spaces, then the email address
-- (written by the store from the name and email, `member_search_key`; rows from before this
-- migration are filled in when the server starts). A pg_trgm GIN index serves `LIKE '%…%'`
-- on it, in the same transaction as every change to the memberships.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE memberships ADD COLUMN search_key text NOT NULL DEFAULT '';
-- Without the pending list (fastupdate): a search never reads unmerged entries one by one.
CREATE INDEX memberships_search ON memberships USING gin (search_key gin_trgm_ops)
    WITH (fastupdate = off);
