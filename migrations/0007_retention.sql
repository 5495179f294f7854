-- Retention (docs/THREAT-MODEL.md, "Retention and deletion"): what the operator's expiry settings need.
-- The UTC day a mailbox last saw activity (a reply posted to it, or its source checking it with the
-- codename); NULL for mailboxes from before this migration, which the first sweep starts counting from.
ALTER TABLE mailboxes ADD COLUMN active_day TEXT;
-- Space-separated ids of the editors who have downloaded this envelope or attachment to the end, kept
-- only while the server deletes submissions once every editor of their desk has pulled them. No day,
-- no order: an update in place, not a row per download.
ALTER TABLE submissions ADD COLUMN pulled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN pulled_by TEXT NOT NULL DEFAULT '';
