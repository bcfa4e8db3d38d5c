-- A removed member's user tokens are kept, revoked for good (SPEC §2: listed struck through,
-- "user has been deleted"); a revoked token never authenticates again, also after the person is
-- invited back.
ALTER TABLE access_tokens ADD COLUMN revoked_at INTEGER;
