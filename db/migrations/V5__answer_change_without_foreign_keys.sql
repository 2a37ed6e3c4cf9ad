-- answer_change is an append-only history: an audit after a chain change adds one row per changed
-- answer, 100,000 at a time. Its two foreign keys made every such row lock its terminal's and its
-- image's row (FOR KEY SHARE), which cost more than the insert itself (1.4 s against 0.6 s for
-- 100,000 rows, bench/redecide). The rows stay consistent without them: a terminal's history is
-- deleted with the terminal, in the same transaction, and images are never deleted.
-- The constraints had no names of their own: PostgreSQL calls them <table>_<column>_fkey, the
-- embedded H2 CONSTRAINT_<n>; each database drops its own and skips the other's.
ALTER TABLE answer_change DROP CONSTRAINT IF EXISTS answer_change_terminal_id_fkey;
ALTER TABLE answer_change DROP CONSTRAINT IF EXISTS answer_change_image_id_fkey;
ALTER TABLE answer_change DROP CONSTRAINT IF EXISTS "CONSTRAINT_306";
ALTER TABLE answer_change DROP CONSTRAINT IF EXISTS "CONSTRAINT_3067";
