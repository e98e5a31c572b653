-- servicehall 0014: deadlines in hours (issue 15.7). Portable SQL (SQLite and PostgreSQL).
-- A task whose step's deadline is in clock hours has `due_at`, the instant it becomes overdue (UTC,
-- ISO 8601), and `remind_at`, half way from `opened_at` to it, when the sweep reminds its holders; `due`
-- stays its local date (lists sort and show by it). Tasks with a work-day deadline leave both empty and
-- keep the due-day rules: overdue after `due` ends, reminded on `due` from 09:00.
ALTER TABLE task ADD COLUMN due_at TEXT;
ALTER TABLE task ADD COLUMN remind_at TEXT;
CREATE INDEX task_due_at ON task (status, due_at);
