-- Attempts at one account (or other key) counted in fixed windows, shared by every server on
-- the database. `key` is a SHA-256, so no address typed at sign-in is kept. `next_at` is when
-- the window admits its next attempt (the progressive delay). Old windows are purged by the
-- periodic housekeeping.
CREATE TABLE attempt_windows (
    key text NOT NULL,
    window_start bigint NOT NULL,
    attempts bigint NOT NULL,
    next_at bigint NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX attempt_windows_by_start ON attempt_windows (window_start);
