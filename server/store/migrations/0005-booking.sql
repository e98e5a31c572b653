-- servicehall 0004: appointments (预约). Portable SQL (SQLite and PostgreSQL).

-- The booking an appointment application holds, as JSON ({"resource", "date", "slot"}); NULL for every
-- other service. `booking_slot` is the place it takes, `<resource> <date> <slot>` (e.g.
-- `dance-studio 2026-03-09 08:00-10:00`), so that counting a slot's live bookings inside the submit
-- transaction reads one index range instead of every application's JSON.
ALTER TABLE application ADD COLUMN booking TEXT;
ALTER TABLE application ADD COLUMN booking_slot TEXT;
CREATE INDEX application_by_booking_slot ON application (service, booking_slot, status) WHERE booking_slot IS NOT NULL;
