-- A search combined with a role or a group walks the role's holders (or the group's members) in
-- name order and tests each member's search key. With the key in an index by member, SQLite
-- tests it there and reads the membership's row only for the members the page shows: at
-- 100,000 members, a page of a role's matches tested about 1,200 keys to show 25.
-- (PostgreSQL reads the row of every member it tests, so it gains nothing from this index.)
CREATE INDEX memberships_search_by_member ON memberships (org_id, user_id, search_key);
