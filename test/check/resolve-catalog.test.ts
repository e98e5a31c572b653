import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../cli/diagnostics/registry.ts';
import { resolveAttachment } from '../../cli/resolve/resolve-catalog.ts';
import type { BrokenCase } from './helpers.ts';
import { checkEdited, findingsOf, sub } from './helpers.ts';

const LEAVE = 'xgc/student-leave.yaml';
const PAPER = 'xgc/paper-leave.yaml';
const EXCHANGE = 'jsj/exchange-guide.yaml';
const BLANK_FORM = 'blankForm: files/leave-form.docx';

/** A second service file, valid on its own, whose id is already taken. */
const COPY_OF_LEAVE = `apiVersion: servicehall/v1
kind: Service
id: student-leave
name: 请假登记
type: guide
status: draft
classification: public
owner: jsj
audiences: [staff]
topics: [teaching]
guide:
  summary: 请假登记。
  conditions: []
  materials: []
  timeLimit: { type: immediate, promised: { value: 0, unit: workday } }
  fees: { free: true }
  visits: { count: 0 }
  locations: [{ address: 计算机楼 }]
  contacts: { consultation: { phone: 010-88880305 }, complaint: { phone: 010-88880012 } }
  reviewed: 2026-09-01
`;

describe('resolveCatalog: references across files', () => {
  const cases: BrokenCase[] = [
    { name: 'an unknown owner', edits: [sub('jsj/lab-booking.yaml', 'owner: jsj', 'owner: jsjj')], expected: ['catalog/owner-folder jsj/lab-booking.yaml:8:8', 'ref/unknown-department jsj/lab-booking.yaml:8:8'] },
    { name: 'an owner from another folder', edits: [sub('jsj/lab-booking.yaml', 'owner: jsj', 'owner: xgc')], expected: ['catalog/owner-folder jsj/lab-booking.yaml:8:8'] },
    { name: 'an unknown participant', edits: [sub(LEAVE, 'participants: [jsj]', 'participants: [jsj, jwc]')], expected: ['ref/unknown-department xgc/student-leave.yaml:11:21'] },
    { name: 'an unknown step department', edits: [sub(LEAVE, 'department: xgc\n', 'department: xgcc\n')], expected: ['ref/unknown-department xgc/student-leave.yaml:117:27'] },
    { name: 'an unknown maintainer', edits: [sub('roles.yaml', 'maintainer: jsj', 'maintainer: rsc')], expected: ['ref/unknown-department roles.yaml:14:17'] },
    { name: 'an unknown IT office', edits: [sub('hall.yaml', 'itOffice: xgc', 'itOffice: xxzx')], expected: ['ref/unknown-department hall.yaml:12:11'] },
    { name: 'an unknown role group', edits: [sub(LEAVE, 'group: counselor', 'group: counsellor')], expected: ['ref/unknown-group xgc/student-leave.yaml:91:14'] },
    { name: 'an unknown topic', edits: [sub(LEAVE, 'topics: [student-affairs]', 'topics: [student-affair]')], expected: ['ref/unknown-topic xgc/student-leave.yaml:13:10'] },
    { name: 'an unknown audience', edits: [sub(LEAVE, 'audiences: [undergraduate]', 'audiences: [postgraduate]')], expected: ['ref/unknown-audience xgc/student-leave.yaml:12:13'] },
    { name: 'an unknown channel', edits: [sub(LEAVE, 'channels: [pc, wechat]', 'channels: [pc, weixin]')], expected: ['ref/unknown-channel xgc/student-leave.yaml:14:16'] },
    { name: 'an unknown prefill source', edits: [sub(LEAVE, 'prefill: applicant.name', 'prefill: applicant.nmae')], expected: ['ref/unknown-data-source xgc/student-leave.yaml:71:20'] },
    { name: 'a step department from a non-department source', edits: [sub(LEAVE, 'department: applicant.college', 'department: applicant.class')], expected: ['ref/unknown-data-source xgc/student-leave.yaml:93:19'] },
    { name: 'a scope unknown to the data platform', edits: [sub(LEAVE, 'scope: applicant.class', 'scope: applicant.klass')], expected: ['ref/unknown-data-source xgc/student-leave.yaml:92:14'] },
    { name: 'a scope naming no form field', edits: [sub(LEAVE, 'scope: applicant.class', 'scope: form.college')], expected: ['ref/unknown-field xgc/student-leave.yaml:92:14'] },
    { name: 'a per-class group scoped to the university', edits: [sub(LEAVE, 'scope: applicant.class', 'scope: university')], expected: ['ref/scope-mismatch xgc/student-leave.yaml:92:14'] },
    { name: 'an unknown successor', edits: [sub(PAPER, 'successor: student-leave', 'successor: student-leaves')], expected: ['ref/unknown-service xgc/paper-leave.yaml:14:14'] },
    { name: 'a retired successor', edits: [sub(PAPER, 'successor: student-leave', 'successor: paper-leave')], expected: ['ref/retired-successor xgc/paper-leave.yaml:14:14'] },
    { name: 'an unknown e-certificate', edits: [sub(EXCHANGE, 'eCertificate: enrolment-certificate', 'eCertificate: enrolment-cert')], expected: ['ref/unknown-service jsj/exchange-guide.yaml:17:21'] },
    { name: 'an e-certificate from a service that issues none', edits: [sub(EXCHANGE, 'eCertificate: enrolment-certificate', 'eCertificate: student-leave')], expected: ['ref/not-a-certificate jsj/exchange-guide.yaml:17:21'] },
    { name: 'a misspelt attachment', edits: [sub(LEAVE, BLANK_FORM, 'blankForm: files/leave-form.doc')], expected: ['ref/missing-file xgc/student-leave.yaml:31:18'] },
    { name: 'a deleted attachment', edits: [{ file: 'xgc/files/leave-form.docx', remove: true }], expected: ['ref/missing-file xgc/student-leave.yaml:31:18'] },
    { name: 'an attachment path climbing out', edits: [sub(LEAVE, BLANK_FORM, 'blankForm: ../../etc/passwd')], expected: ['ref/file-outside-catalog xgc/student-leave.yaml:31:18'] },
    { name: 'an absolute attachment path', edits: [sub(LEAVE, BLANK_FORM, 'blankForm: /etc/passwd')], expected: ['ref/file-outside-catalog xgc/student-leave.yaml:31:18'] },
    { name: 'a Windows attachment path', edits: [sub(LEAVE, BLANK_FORM, "blankForm: 'C:\\Windows\\win.ini'")], expected: ['ref/file-outside-catalog xgc/student-leave.yaml:31:18'] },
    { name: 'an escaping result sample', edits: [sub('xgc/enrolment-certificate.yaml', 'sample: files/certificate-sample.pdf', 'sample: ../../../../etc/shadow')], expected: ['ref/file-outside-catalog xgc/enrolment-certificate.yaml:28:13'] },
    { name: 'a duplicate service id', edits: [{ file: 'jsj/leave-copy.yaml', write: COPY_OF_LEAVE }], expected: ['catalog/file-name jsj/leave-copy.yaml:3:5', 'catalog/duplicate-id xgc/student-leave.yaml:3:5'] },
    { name: 'a duplicate group id', edits: [sub('roles.yaml', '  - id: university-leader', '  - id: counselor')], expected: ['catalog/duplicate-id roles.yaml:16:9'] },
    { name: 'a file named unlike its id', edits: [{ file: PAPER, moveTo: 'xgc/old-paper-leave.yaml' }], expected: ['catalog/file-name xgc/old-paper-leave.yaml:3:5'] },
    { name: 'a department code unlike its folder', edits: [sub('jsj/department.yaml', 'code: jsj', 'code: jsk')], expected: ['catalog/folder-mismatch jsj/department.yaml:3:7'] },
    { name: 'a hall file inside a department', edits: [{ file: 'hall.yaml', moveTo: 'xgc/hall.yaml' }], expected: ['catalog/missing-file hall.yaml:1:1', 'catalog/misplaced-file xgc/hall.yaml:3:7'] },
    { name: 'a service at the top of the catalog', edits: [{ file: 'xgc/paper-leave.yaml', moveTo: 'paper-leave.yaml' }], expected: ['catalog/misplaced-file paper-leave.yaml:2:7'] },
    { name: 'a service inside files/', edits: [{ file: 'xgc/paper-leave.yaml', moveTo: 'xgc/files/paper-leave.yaml' }], expected: ['catalog/misplaced-file xgc/files/paper-leave.yaml:2:7'] },
    {
      name: 'no roles.yaml',
      edits: [{ file: 'roles.yaml', remove: true }],
      expected: ['catalog/missing-file roles.yaml:1:1', 'ref/unknown-group xgc/enrolment-certificate.yaml:53:14', 'ref/unknown-group xgc/student-leave.yaml:91:14', 'ref/unknown-group xgc/student-leave.yaml:108:22', 'ref/unknown-group xgc/student-leave.yaml:115:22'],
    },
  ];

  it.each(cases)('$name', async ({ edits, expected }) => {
    expect(await findingsOf(edits)).toEqual(expected);
  });

  it('suggests the closest id and names where a duplicate was first defined', async () => {
    const { diagnostics } = await checkEdited([sub(LEAVE, 'group: counselor', 'group: counsellor'), sub('roles.yaml', '  - id: university-leader', '  - id: counselor')]);
    expect(diagnostics.map((d) => renderDiagnostic(d, 'en').message)).toEqual([
      'The group id "counselor" is already used in catalog/roles.yaml:4.',
      'roles.yaml has no group "counsellor". Did you mean "counselor"?',
    ]);
  });
});

describe('resolveAttachment', () => {
  it.each([
    { from: 'catalog/xgc/a.yaml', path: 'files/a.pdf', expected: 'catalog/xgc/files/a.pdf' },
    { from: 'catalog/xgc/a.yaml', path: './files/../files/a.pdf', expected: 'catalog/xgc/files/a.pdf' },
    { from: 'catalog/xgc/a.yaml', path: '../jsj/files/a.pdf', expected: 'catalog/jsj/files/a.pdf' },
    { from: 'catalog/xgc/a.yaml', path: '../../README.md', expected: undefined },
    { from: 'catalog/xgc/a.yaml', path: '../../catalog-old/x.pdf', expected: undefined },
    { from: 'catalog/xgc/a.yaml', path: '/etc/passwd', expected: undefined },
    { from: 'catalog/xgc/a.yaml', path: 'C:/Windows/win.ini', expected: undefined },
    { from: 'catalog/xgc/a.yaml', path: 'files\\..\\..\\..\\x', expected: undefined },
    { from: 'catalog/xgc/a.yaml', path: 'files/a.pdf\0.yaml', expected: undefined },
  ])('$path from $from is $expected', ({ from, path, expected }) => {
    expect(resolveAttachment(from, path, 'catalog/')).toBe(expected);
  });
});
