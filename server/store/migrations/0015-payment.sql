-- servicehall 0015: payment steps (缴费, issue 15.9b). Portable SQL (SQLite and PostgreSQL).
-- One order on the campus payment platform per application and payment step, written in the transaction that
-- reaches the step. `id` is the order id the platform sees, "<application id>.<step id>": the same however often
-- the order is sent, so the platform never takes it twice. `status`: 'open' (waiting for the platform's
-- confirmation until `ends_at`, the end of the last work day to pay), 'paid' (a callback with a good signature,
-- the order and the amount confirmed it; `transaction_id` is the platform's), 'unpaid' (the sweep found the
-- period over, once, by a conditional update). The order itself is sent through `system_call` (purpose
-- 'payment-order'), with its retries and incident.
CREATE TABLE payment (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  step TEXT NOT NULL,
  connector TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  until TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  paid_at TEXT,
  transaction_id TEXT,
  closed_at TEXT
);
CREATE INDEX payment_due ON payment (status, ends_at);
CREATE INDEX payment_by_application ON payment (application_id);
-- What a system_call row is for: 'step' (a system step; its success is the step's approve) or 'payment-order'
-- (a payment step's order; its success only marks the order sent).
ALTER TABLE system_call ADD COLUMN purpose TEXT NOT NULL DEFAULT 'step';
