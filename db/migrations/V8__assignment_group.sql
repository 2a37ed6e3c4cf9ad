-- The group of an assignment's terminal, kept on the assignment itself (docs/design.md §11): a
-- re-decision of some groups of an image reads only assignment rows, through the index below,
-- instead of joining every batch with the whole terminal table. Written when an image is assigned
-- and, for all of a terminal's assignments, when the terminal moves to another group (in the
-- move's transaction); terminal.group_name stays the terminal's own record.
ALTER TABLE assignment ADD COLUMN group_name VARCHAR(128) DEFAULT 'default' NOT NULL;
UPDATE assignment SET group_name =
    (SELECT t.group_name FROM terminal t WHERE t.id = assignment.terminal_id);
CREATE INDEX assignment_image_group ON assignment (image_id, group_name, id);
