import { d } from './define.ts';

/** Guide facts per situation (办理情形 / 业务办理项, issue 15 item 10): each situation states only what differs. */
export const SITUATION_DIAGNOSTICS = {
  'guide/situation-unknown': d('error', ['材料引用了未声明的办理情形', 'Material names an undeclared situation'],
    ['材料“{material}”只在情形“{situation}”需要，但 guide.situations 中没有这个情形。{suggestion}', 'Material "{material}" is needed only in situation "{situation}", but guide.situations declares no such situation. {suggestion}'],
    ['在 guide.situations 中声明该情形（id 和 name），或改正材料 situations 中的标识。', 'Declare the situation under guide.situations (id and name), or correct the id in the material\'s situations.'],
    { bad: 'materials:\n  - name: 遗失声明\n    situations: [reisue]', good: 'situations:\n  - { id: first, name: 首次申领 }\n  - { id: reissue, name: 补办 }\nmaterials:\n  - name: 遗失声明\n    situations: [reissue]' }),
  'guide/situation-duplicate': d('error', ['办理情形标识重复', 'Duplicate situation id'],
    ['办理情形“{situation}”声明了不止一次。', 'Situation "{situation}" is declared more than once.'],
    ['每个情形只声明一次；两个情形不同时给它们不同的 id。', 'Declare each situation once; give different situations different ids.']),
  'guide/situation-same': d('warning', ['办理情形与指南没有区别', 'Situation states nothing different'],
    ['办理情形“{situation}”{detail}', 'Situation "{situation}" {detail}'],
    ['情形只写与指南不同的到现场次数、办理时限，或让某些材料只在该情形需要（材料的 situations）；相同的内容在指南中写一次即可。', 'A situation states only the visits or time limit that differ from the guide, or materials needed only in it (a material\'s situations); what is the same is written once in the guide.'],
    { bad: 'situations:\n  - { id: first, name: 首次申领 }\n  - id: reissue\n    name: 补办\n    visits: { count: 0 }   # 与 guide.visits 相同', good: 'situations:\n  - { id: first, name: 首次申领 }\n  - id: reissue\n    name: 补办\n    visits: { count: 1, reason: 到现场领取新证。 }' }),
} as const;
