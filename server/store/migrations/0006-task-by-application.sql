-- servicehall 0006: an application's tasks by their status (issue 13, throughput). Every change to an
-- application reads or updates its open tasks (`WHERE application_id = $1 AND status = 'open'`). The
-- UNIQUE (application_id, step, round) index alone let SQLite's planner prefer task_by_due (status = ?),
-- which walks every open task in the hall: at 100 concurrent clients the approval's cost grew with
-- everyone's open cases. With both columns in one index the planner starts from the application.
CREATE INDEX task_by_application ON task (application_id, status);
