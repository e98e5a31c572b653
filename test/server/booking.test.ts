import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { DEFAULT_SUBMITTED_AT } from '../../lib/interpret/scenarios.ts';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { bookingProblems } from '../../server/engine/booking.ts';
import { Engine } from '../../server/engine/engine.ts';
import type { Booking } from '../../server/engine/engine.ts';
import { FileStore } from '../../server/files/file-store.ts';
import { buildApp } from '../../server/http/app.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { exampleDirectory } from './processes.ts';
import { LEAVE, call, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Appointments (预约) on the hall runtime, on both stores: what a booking must be (the service's resource,
 * one of its slots on an open day, inside the booking window, at the submission instant in the school's
 * time zone), one place per resource slot taken under a lock, places freed by withdrawal and rejection,
 * the booking kept through a return, and the same over HTTP.
 */

const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(path.join(ROOT, 'generated'));
});

/** Monday 2 March 2026, 09:00 in Beijing: the scenarios' default submission instant. */
const MONDAY = '2026-03-02T01:00:00Z';
const ART = 'art-hall-classroom-booking';
const RECORDING = 'recording-classroom-booking';
const student = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', type: '本科生', college: 'wxy', class: 'wxy-2203', phone: '13800000002' } };
const teacher = { id: '2010031', attributes: { name: '周海涛', number: '2010031', type: '教职工', department: 'jsj', phone: '13800200001' } };
const rehearsal = { applicantName: '李雨桐', applicantNumber: '2022020315', phone: '13800000002', purpose: '社团排练', participants: 28, organization: '江城大学朗诵艺术团', description: '排练校园朗诵大赛参赛节目' };
/** The same rehearsal booked by 周海涛: his name and number, as the form prefills them read-only from the directory. */
const teacherRehearsal = { ...rehearsal, applicantName: '周海涛', applicantNumber: '2010031', phone: '13800200001' };
/** 张晓明's (2023010101) rehearsal over HTTP: the directory prefills his name, number and phone read-only. */
const classmateRehearsal = { ...rehearsal, applicantName: '张晓明', applicantNumber: '2023010101', phone: '13800000001' };
const recording = { applicantName: '周海涛', applicantNumber: '2010031', unit: 'jsj', phone: '13800200001', courseName: '算法设计与分析', recordingType: '微课', studentCount: 0, needTechnician: false, needEditing: true };
const leaveApplicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', type: '本科生', college: 'wxy', class: 'wxy-2203', phone: '13800000002' } };
const dance = (date = '2026-03-09', slot = '08:00-10:00'): Booking => ({ resource: 'dance-studio', date, slot });

async function hall(kind: (typeof STORE_KINDS)[number], at = MONDAY) {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  for (const [person, group, scope] of [
    ['t-league', 'league-secretary', 'wxy'],
    ['t-xxzx', 'office-staff', 'xxzx'],
  ]) {
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
  }
  let clock = Date.parse(at);
  const engine = new Engine({ store, runtime, now: () => new Date(clock) });
  return { engine, store, setClock: (instant: string) => void (clock = Date.parse(instant)) };
}

const fieldsOf = (outcome: Awaited<ReturnType<Engine['submit']>>) => (outcome.ok ? [] : outcome.kind === 'invalid' ? outcome.fieldErrors.map((e) => e.field).sort() : [`(${outcome.kind})`]);
const messagesOf = (outcome: Awaited<ReturnType<Engine['submit']>>) => (outcome.ok || outcome.kind !== 'invalid' ? '' : outcome.fieldErrors.map((e) => e.message.zh).join(' | '));

describe('the example catalog under the booking rules', () => {
  it("books every appointment scenario on a slot the hall accepts at the scenario's submission instant", async () => {
    const checked = await loadAndCheck(path.join(ROOT, 'catalog'), {});
    const booked = [...checked.catalog.services].flatMap(([id, located]) => (located.value.scenarios ?? []).filter((s) => s.booking).map((scenario) => ({ id, scenario })));
    expect(booked.length).toBeGreaterThanOrEqual(14);
    const problems = booked.flatMap(({ id, scenario }) =>
      bookingProblems(runtime.current(id), runtime.calendar, scenario.booking, new Date(scenario.submittedAt ?? DEFAULT_SUBMITTED_AT)).map((p) => `${id} › ${scenario.name}: ${p.field} ${p.message.zh}`),
    );
    expect(problems).toEqual([]);
    // Within each service, no two live scenarios book the same place (the one-semantics test submits them all into one store).
    const places = booked.map(({ id, scenario }) => `${id} ${scenario.booking!.resource} ${scenario.booking!.date} ${scenario.booking!.slot}`);
    expect(new Set(places).size).toBe(places.length);
  });
});

describe.each(STORE_KINDS)('appointments on the engine (%s)', (kind) => {
  it('takes a valid booking, stores it, and shows it on the application', async () => {
    const { engine } = await hall(kind);
    const submitted = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance() });
    expect(fieldsOf(submitted)).toEqual([]);
    if (!submitted.ok) return;
    expect(submitted.application.booking).toEqual(dance());
    expect((await engine.application(submitted.application.id))?.booking).toEqual(dance());
    expect((await engine.applicationsOf(student.id))[0].booking).toEqual(dance());
  });

  it('requires a booking of an appointment service, and refuses one on any other service', async () => {
    const { engine } = await hall(kind);
    const none = await engine.submit({ service: ART, applicant: student, data: rehearsal });
    expect(fieldsOf(none)).toEqual(['booking.date', 'booking.resource', 'booking.slot']);
    expect(messagesOf(none)).toContain('必填');
    const stray = await engine.submit({ service: 'student-leave', applicant: leaveApplicant, data: LEAVE, booking: dance() });
    expect(fieldsOf(stray)).toEqual(['booking']);
    expect(messagesOf(stray)).toContain('不需要预约');
    expect((await engine.submit({ service: 'student-leave', applicant: leaveApplicant, data: LEAVE })).ok).toBe(true);
  });

  it("refuses a resource the service does not have, a slot it does not offer, and a date that is not a date", async () => {
    const { engine } = await hall(kind);
    const resource = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: { ...dance(), resource: 'main-stage' } });
    expect(fieldsOf(resource)).toEqual(['booking.resource']);
    expect(messagesOf(resource)).toContain('没有可预约的“main-stage”');
    const slot = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-09', '08:00-09:00') });
    expect(fieldsOf(slot)).toEqual(['booking.slot']);
    expect(messagesOf(slot)).toContain('08:00-10:00、10:00-12:00');
    for (const date of ['2026-02-30', '2026-3-9', 'tomorrow']) {
      const bad = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance(date) });
      expect(fieldsOf(bad), date).toEqual(['booking.date']);
    }
  });

  it('refuses a weekday the service is closed on, and a holiday when it opens on work days only', async () => {
    const { engine, setClock } = await hall(kind);
    // 录播教室: Monday to Friday, work days only (recording-classroom-booking.yaml). 2026-03-07 is a Saturday.
    const saturday = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a305', date: '2026-03-07', slot: '08:00-10:00' } });
    expect(fieldsOf(saturday)).toEqual(['booking.date']);
    expect(messagesOf(saturday)).toContain('周六');
    // 2026-04-06, a Monday, is the Qingming holiday on the school's calendar.
    setClock('2026-04-01T01:00:00Z');
    const holiday = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a305', date: '2026-04-06', slot: '08:00-10:00' } });
    expect(fieldsOf(holiday)).toEqual(['booking.date']);
    expect(messagesOf(holiday)).toContain('不是工作日');
    const workday = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a305', date: '2026-04-07', slot: '08:00-10:00' } });
    expect(fieldsOf(workday)).toEqual([]);
  });

  it('judges advanceDays and minNoticeHours at the submission instant, in the school time zone', async () => {
    const { engine, setClock } = await hall(kind);
    // 艺术馆: at most 14 days ahead, at least 48 hours' notice. Now: Monday 2 March 09:00 (+08:00).
    const far = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-17') });
    expect(fieldsOf(far)).toEqual(['booking.date']);
    expect(messagesOf(far)).toContain('最多提前 14 天');
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-16') }))).toEqual([]);
    // 4 March 08:00 is 47 hours away; 10:00 is 49.
    const soon = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-04', '08:00-10:00') });
    expect(fieldsOf(soon)).toEqual(['booking.slot']);
    expect(messagesOf(soon)).toContain('至少提前 48 小时');
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-04', '10:00-12:00') }))).toEqual([]);
    const past = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-01') });
    expect(fieldsOf(past)).toEqual(['booking.date']);
    expect(messagesOf(past)).toContain('已经过去');
    // The school's date, not UTC's: at 2026-03-02T17:00Z it is already 3 March 01:00 in Beijing, so 17 March is 14 days ahead.
    setClock('2026-03-02T17:00:00Z');
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-17') }))).toEqual([]);
  });

  it('gives the booking to the interpreter: a condition over booking.resource decides the form', async () => {
    const { engine } = await hall(kind);
    // needTechnician is required unless the room is A305 (validIf: booking.resource = "a305" or needTechnician = true).
    const a301 = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a301', date: '2026-03-10', slot: '08:00-10:00' } });
    expect(fieldsOf(a301)).toEqual(['needTechnician']);
    const a305 = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a305', date: '2026-03-10', slot: '08:00-10:00' } });
    expect(fieldsOf(a305)).toEqual([]);
  });

  it('gives one place per resource slot: the second booking is refused, another slot or resource is not', async () => {
    const { engine } = await hall(kind);
    expect((await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance() })).ok).toBe(true);
    const again = await engine.submit({ service: ART, applicant: teacher, data: teacherRehearsal, booking: dance() });
    expect(fieldsOf(again)).toEqual(['booking.slot']);
    expect(messagesOf(again)).toContain('201 形体教室 2026-03-09 08:00-10:00 已约满');
    expect(!again.ok && again.kind === 'invalid' && again.fieldErrors[0].message.en).toContain('fully booked');
    expect((await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-09', '10:00-12:00') })).ok).toBe(true);
    expect((await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: { ...dance(), resource: 'piano-room' } })).ok).toBe(true);
    expect((await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-10') })).ok).toBe(true);
  });

  it('lets exactly one of many concurrent submissions take the last place', async () => {
    const { engine, store } = await hall(kind);
    const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => engine.submit({ service: ART, applicant: { ...student, id: `s-${i}` }, data: rehearsal, booking: dance('2026-03-11', '19:00-21:00') })));
    expect(attempts.filter((a) => a.ok)).toHaveLength(1);
    expect(attempts.filter((a) => !a.ok).map((a) => fieldsOf(a).join())).toEqual(Array(7).fill('booking.slot'));
    const [row] = await store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM application WHERE booking_slot = 'dance-studio 2026-03-11 19:00-21:00'");
    expect(Number(row.n)).toBe(1);
  });

  it('frees the place when the application is withdrawn or rejected, and keeps it while returned or approved', async () => {
    const { engine } = await hall(kind);
    const first = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance() });
    if (!first.ok) throw new Error(first.message.zh);
    expect((await engine.withdraw({ application: first.application.id, applicant: student.id })).ok).toBe(true);
    const second = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance() });
    if (!second.ok) throw new Error(messagesOf(second));
    // Returned: the applicant still holds the place.
    const [review] = (await engine.tasksOf(second.application.id)).filter((t) => t.status === 'open');
    expect((await engine.act({ task: review.id, person: 't-league', action: 'return', comment: '请补充排练节目单' })).ok).toBe(true);
    expect(fieldsOf(await engine.submit({ service: ART, applicant: teacher, data: teacherRehearsal, booking: dance() }))).toEqual(['booking.slot']);
    // The booking stays through the resubmission; it is not a form field and cannot be changed there.
    const changed = await engine.resubmit({ application: second.application.id, applicant: student.id, changes: { booking: { ...dance(), slot: '10:00-12:00' } } });
    expect(changed.ok).toBe(false);
    const resubmitted = await engine.resubmit({ application: second.application.id, applicant: student.id, changes: { description: '排练校园朗诵大赛参赛节目，附节目单' } });
    if (!resubmitted.ok) throw new Error(resubmitted.message.zh);
    expect((await engine.application(second.application.id))?.booking).toEqual(dance());
    const [again] = (await engine.tasksOf(second.application.id)).filter((t) => t.status === 'open');
    expect((await engine.act({ task: again.id, person: 't-league', action: 'approve' })).ok).toBe(true);
    const [final] = (await engine.tasksOf(second.application.id)).filter((t) => t.status === 'open');
    expect((await engine.act({ task: final.id, person: 't-xxzx', action: 'reject', comment: '该时段另有安排' })).ok).toBe(true);
    expect((await engine.application(second.application.id))?.status).toBe('rejected');
    // Rejected: the place is free again.
    const third = await engine.submit({ service: ART, applicant: teacher, data: teacherRehearsal, booking: dance() });
    expect(fieldsOf(third)).toEqual([]);
  });

  // 预约限额 (appointment.limits), enforced by the hall: art-hall-classroom-booking.yaml allows 4 bookings per person a
  // week and a cancellation up to 2 hours ahead; recording-classroom-booking.yaml 6 per unit a week.
  it('holds a person to 4 bookings a week: the fifth is refused at the date, another week or person is not, a withdrawal frees one', async () => {
    const { engine } = await hall(kind);
    const ids: string[] = [];
    // Monday 9 to Sunday 15 March is one week (Monday first, as timetables run).
    for (const date of ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-15']) {
      const booked = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance(date) });
      if (!booked.ok) throw new Error(JSON.stringify(booked));
      ids.push(booked.application.id);
    }
    const fifth = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-12', '10:00-12:00') });
    expect(fieldsOf(fifth)).toEqual(['booking.date']);
    expect(messagesOf(fifth)).toContain('每周每人最多预约 4 次：您在 2026-03-09 至 2026-03-15 已有 4 次预约');
    // Sunday the 8th ends the week before, Monday the 16th starts the next: both count elsewhere.
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-08') }))).toEqual([]);
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-16') }))).toEqual([]);
    // Another person's bookings are theirs.
    expect(fieldsOf(await engine.submit({ service: ART, applicant: teacher, data: teacherRehearsal, booking: dance('2026-03-12') }))).toEqual([]);
    // A withdrawn booking no longer counts; a rejected one neither.
    expect((await engine.withdraw({ application: ids[0], applicant: student.id })).ok).toBe(true);
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-12', '10:00-12:00') }))).toEqual([]);
  });

  it('holds a person to a resource’s own quota (排练厅 twice a month) beside the service’s, counting that resource only', async () => {
    const { engine } = await hall(kind);
    const hallOn = (date: string, slot = '19:00-21:00') => ({ resource: 'rehearsal-hall', date, slot });
    // Two rehearsal-hall bookings in March, in two weeks (the weekly limit of 4 is not what stops the third).
    for (const date of ['2026-03-09', '2026-03-16']) expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: hallOn(date) }))).toEqual([]);
    const third = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: hallOn('2026-03-10') });
    expect(fieldsOf(third)).toEqual(['booking.date']);
    expect(messagesOf(third)).toContain('每月每人最多预约“305 多功能排练厅” 2 次：您在 2026-03-01 至 2026-03-31 已有 2 次这个场地的预约');
    // Another room in the same week is counted by the service's limit only.
    expect(fieldsOf(await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-10') }))).toEqual([]);
  });

  it('lets exactly one of several concurrent submissions take the last booking of a person’s week', async () => {
    const { engine } = await hall(kind);
    for (const date of ['2026-03-09', '2026-03-10', '2026-03-11']) expect((await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance(date) })).ok).toBe(true);
    const attempts = await Promise.all(['08:00-10:00', '10:00-12:00', '14:00-16:00', '16:00-18:00'].map((slot) => engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-13', slot) })));
    expect(attempts.filter((a) => a.ok)).toHaveLength(1);
    for (const refused of attempts.filter((a) => !a.ok)) expect(fieldsOf(refused)).toEqual(['booking.date']);
  });

  it('holds a unit (a staff member’s department) to 6 recording bookings a week; other units and weeks are free', async () => {
    const { engine } = await hall(kind);
    const colleague = (n: number, department = 'jsj') => {
      const number = `20100${40 + n}`;
      const name = `计算机学院教师${n}`;
      return { applicant: { id: number, attributes: { ...teacher.attributes, name, number, department } }, data: { ...recording, applicantName: name, applicantNumber: number, unit: department } };
    };
    const slots = ['08:00-10:00', '10:10-12:00', '14:30-16:30', '16:40-18:30'];
    // Six bookings of the A305 micro-lecture room by six colleagues of 计算机学院 in the week of 9 March.
    for (let n = 0; n < 6; n++) {
      const { applicant, data } = colleague(n);
      const booked = await engine.submit({ service: RECORDING, applicant, data, booking: { resource: 'a305', date: n < 4 ? '2026-03-10' : '2026-03-11', slot: slots[n % 4] } });
      if (!booked.ok) throw new Error(JSON.stringify(booked));
    }
    const { applicant, data } = colleague(6);
    const seventh = await engine.submit({ service: RECORDING, applicant, data, booking: { resource: 'a305', date: '2026-03-12', slot: '08:00-10:00' } });
    expect(fieldsOf(seventh)).toEqual(['booking.date']);
    expect(messagesOf(seventh)).toContain('每周每个单位最多预约 6 次：您所在单位在 2026-03-09 至 2026-03-15 已有 6 次预约');
    // The next week, and another unit in the same week, still book.
    expect(fieldsOf(await engine.submit({ service: RECORDING, applicant, data, booking: { resource: 'a305', date: '2026-03-16', slot: '08:00-10:00' } }))).toEqual([]);
    const other = colleague(7, 'wxy');
    expect(fieldsOf(await engine.submit({ service: RECORDING, applicant: other.applicant, data: other.data, booking: { resource: 'a305', date: '2026-03-12', slot: '08:00-10:00' } }))).toEqual([]);
  });

  it('refuses to withdraw a booking less than cancelBeforeHours before it begins, and says why', async () => {
    const { engine, setClock } = await hall(kind);
    const booked = await engine.submit({ service: ART, applicant: student, data: rehearsal, booking: dance('2026-03-09', '10:00-12:00') });
    if (!booked.ok) throw new Error(JSON.stringify(booked));
    // 10:00 Beijing on 9 March is 02:00Z; two hours before is 00:00Z.
    setClock('2026-03-09T00:30:00Z');
    const late = await engine.withdraw({ application: booked.application.id, applicant: student.id });
    expect(late.ok).toBe(false);
    expect(!late.ok && late.kind).toBe('refused');
    expect(!late.ok && late.message.zh).toContain('预约须在开始前 2 小时以前取消');
    setClock('2026-03-09T00:00:00Z');
    expect((await engine.withdraw({ application: booked.application.id, applicant: student.id })).ok).toBe(true);
  });
});

describe.each(STORE_KINDS)('appointments over HTTP (%s)', (kind) => {
  let url: string;
  let close: () => Promise<unknown>;
  beforeAll(async () => {
    const store: Store = await stores.open(await stores.location(kind));
    await migrate(store);
    await importDirectory(store, await exampleDirectory());
    const clock = Date.parse(MONDAY);
    const engine = new Engine({ store, runtime, now: () => new Date(clock) });
    const files = await FileStore.open(await mkdtemp(path.join(tmpdir(), 'hall-files-')));
    const app = await buildApp({ engine, files, dev: true, secureCookies: false, publicUrl: 'http://127.0.0.1' });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    close = () => app.close();
  });
  afterAll(async () => close?.());

  it('takes a booking, shows it on the application, and refuses the same slot with a field error', async () => {
    const person = await signIn(url, '2022020315');
    const created = await call(url, 'POST', '/api/applications', { ...person, body: { service: ART, data: rehearsal, booking: dance() } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.application.booking).toEqual(dance());
    const view = await call(url, 'GET', `/api/applications/${created.body.application.id}`, person);
    expect(view.body.application.booking).toEqual(dance());
    const other = await signIn(url, '2023010101');
    const full = await call(url, 'POST', '/api/applications', { ...other, body: { service: ART, data: classmateRehearsal, booking: dance() } });
    expect(full.status).toBe(422);
    expect(full.body.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['booking.slot']);
    expect(full.body.fieldErrors[0].message.zh).toContain('已约满');
    const missing = await call(url, 'POST', '/api/applications', { ...other, body: { service: ART, data: classmateRehearsal } });
    expect(missing.status).toBe(422);
    expect(missing.body.fieldErrors.map((e: { field: string }) => e.field).sort()).toEqual(['booking.date', 'booking.resource', 'booking.slot']);
  });

  it('refuses a booking with unknown parts, missing parts or overlong values before the engine sees it', async () => {
    const person = await signIn(url, '2023010101');
    const cases: [unknown, string][] = [
      [{ ...dance('2026-03-12'), seats: 3 }, 'booking.seats'],
      [{ resource: 'dance-studio', date: '2026-03-12' }, 'booking.slot'],
      [{ ...dance('2026-03-12'), resource: 'x'.repeat(101) }, 'booking.resource'],
      [{ ...dance('2026-03-12'), slot: '08:00-10:00:00' }, 'booking.slot'],
      ['dance-studio', 'booking'],
    ];
    for (const [booking, field] of cases) {
      const refused = await call(url, 'POST', '/api/applications', { ...person, body: { service: ART, data: classmateRehearsal, booking } });
      expect(refused.status, `${JSON.stringify(booking)} ${refused.text.slice(0, 400)}`).toBe(400);
      expect(JSON.stringify(refused.body), JSON.stringify(booking)).toContain(field);
    }
    // Every field error of a malformed body has the label the FieldError schema requires, at any depth.
    for (const body of [{ service: ART, data: rehearsal, booking: dance('2026-03-12'), extra: 1 }, { service: ART, data: rehearsal, booking: { ...dance('2026-03-12'), extra: 1 } }]) {
      const refused = await call(url, 'POST', '/api/applications', { ...person, body });
      expect(refused.status, refused.text.slice(0, 300)).toBe(400);
      expect(refused.body.fieldErrors.every((e: { field: string; label: string }) => e.label === e.field && e.field.endsWith('extra'))).toBe(true);
    }
    const leave = await signIn(url, '2022020315');
    const stray = await call(url, 'POST', '/api/applications', { ...leave, body: { service: 'student-leave', data: LEAVE, booking: dance('2026-03-12') } });
    expect(stray.status).toBe(422);
    expect(stray.body.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['booking']);
  });
});
