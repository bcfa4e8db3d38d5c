-- Interface languages (en, de, zh, ru) become choices that may be left unmade: a person's own
-- language, else their organization's default, else the browser's. The columns of 0001 were
-- never read or written and always held 'en'; they are replaced by nullable ones.
ALTER TABLE users DROP COLUMN language;
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('en', 'de', 'zh', 'ru'));
ALTER TABLE organizations DROP COLUMN default_language;
ALTER TABLE organizations ADD COLUMN default_language text CHECK (default_language IN ('en', 'de', 'zh', 'ru'));
