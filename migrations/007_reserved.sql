-- 007_reserved: a placeholder. Number 007 belongs to another branch of
-- issue 9; migrations must be numbered without gaps (embed_sql.py), so this
-- branch holds the slot with a no-op until that migration is merged, which
-- replaces this file (delete it and its line in meson.build then).
SELECT 1;
