-- servicehall 0007: what the hall's pages keep beside the engine's records.

-- A form in progress (草稿): one per person and service, saved by the form's 保存草稿 button, so a long form
-- survives a closed tab; deleted when the application is submitted. `data` is the form as typed (JSON text).
CREATE TABLE draft (
  person_id TEXT NOT NULL,
  service TEXT NOT NULL,
  data TEXT NOT NULL,
  saved_at TEXT NOT NULL,
  PRIMARY KEY (person_id, service)
);

-- An applicant's evaluation (好差评, 000号文第七条) of a finished application: one per application (the
-- primary key refuses a second). The same evaluation is a `rated` event in the event log, which hall report counts.
CREATE TABLE evaluation (
  application_id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  rating TEXT NOT NULL,
  comment TEXT,
  at TEXT NOT NULL
);
