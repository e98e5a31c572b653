-- servicehall 0012: booking quotas (预约限额: appointment.limits perPerson / perUnit). Portable SQL (SQLite and PostgreSQL).

-- The local date a booking is for (`YYYY-MM-DD`), so that counting a person's or a unit's bookings in a day, a
-- week or a month reads one index range. Rows booked before this migration take it from `booking_slot`
-- (`<resource> <date> <slot>`: the slot is `HH:MM-HH:MM`, 11 characters, so the date is the 10 characters
-- that end 12 before the end).
ALTER TABLE application ADD COLUMN booking_date TEXT;
UPDATE application SET booking_date = substr(booking_slot, length(booking_slot) - 21, 10) WHERE booking_slot IS NOT NULL;
CREATE INDEX application_by_booking_date ON application (service, booking_date) WHERE booking_slot IS NOT NULL;
