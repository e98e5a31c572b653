import { d } from './define.ts';

/** Personal-information rules (个人信息保护法): a service's readers and its attachments' retention. */
export const PRIVACY_DIAGNOSTICS = {
  'privacy/unknown-reader': d('error', ['可看全文的人员不存在', 'Unknown reader'],
    ['privacy.readers 中的“{reader}”无法对应：{detail}{suggestion}', 'privacy.readers lists "{reader}", which matches nothing: {detail} {suggestion}'],
    ['写 roles.yaml 中的群组（如 office-staff），或“群组@部门代码”（如 department-deputy@xgc）；写错的名字会让该看的人看不到、不该看的人也无从核对。', 'Write a roles.yaml group (office-staff) or group@department-code (department-deputy@xgc); a wrong name leaves the people who need the text without it.'],
    { bad: 'privacy:\n  readers: [xinli-center]', good: 'privacy:\n  readers: [office-staff, department-deputy@xgc]' }),
  'privacy/retention-missing': d('warning', ['敏感附件没有保存期限', 'Sensitive attachments kept without limit'],
    ['附件项“{field}”标注了 sensitive，但事项没有写附件保存期限（privacy.attachmentRetention），附件会一直保存。', 'The file field "{field}" is sensitive, but the service sets no attachment retention (privacy.attachmentRetention): the files would be kept for ever.'],
    ['个人信息的保存期限应当为实现处理目的所必要的最短时间（个人信息保护法第十九条）：写明 privacy.attachmentRetention（如 { value: 3, unit: year }），办事指南会公示这个期限。', 'PIPL art. 19: keep personal information no longer than the purpose needs. Set privacy.attachmentRetention (e.g. { value: 3, unit: year }); the guide states it.'],
    { bad: 'evidence:\n  type: file\n  sensitive: true', good: 'privacy:\n  attachmentRetention: { value: 3, unit: year }' }),
} as const;
