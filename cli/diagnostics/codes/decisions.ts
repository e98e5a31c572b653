import { d } from './define.ts';

const TABLE = 'decisions:\n  - id: approvalLevel\n    name: 审批级别\n    input: amount\n    rules:\n';

/** Diagnostics of decision tables (docs/routing.md): bands written once, read by the flow's conditions. */
export const DECISION_DIAGNOSTICS = {
  'decision/gap': d('error', ['决策表有没有规则覆盖的区间', 'Decision table leaves a gap'],
    ['表“{table}”的输入为 {gap} 时没有规则符合，也没有 default：结果为空，读这张表的条件都不成立。', 'When the input of table "{table}" is {gap} no rule matches and there is no default: the result is null and every condition reading the table is false.'],
    ['补上这个区间的规则（注意区间端点：[5000..50000) 含 5000、不含 50000），或写 default 给出其余情况的结果。', 'Add a rule for this band (mind the ends: [5000..50000) includes 5000 and excludes 50000), or give a default for the rest.'],
    { bad: `${TABLE}      - { when: "< 5000", result: 部门 }\n      - { when: "> 5000", result: 校级 }`, good: `${TABLE}      - { when: "< 5000", result: 部门 }\n      - { when: ">= 5000", result: 校级 }` }),
  'decision/overlap': d('warning', ['决策表的区间重叠', 'Decision table bands overlap'],
    ['表“{table}”第 {rule} 条规则的 {overlap} 与前面的规则重叠；按顺序取第一条符合的规则，这部分得到前面规则的结果。', 'Rule {rule} of table "{table}" overlaps earlier rules on {overlap}; the first matching rule wins, so that part gets the earlier result.'],
    ['让区间首尾相接而不重叠，如 < 5000 之后写 [5000..50000)，而不是 [0..50000)。', 'Make bands meet without overlapping: after < 5000 write [5000..50000), not [0..50000).'],
    { bad: `${TABLE}      - { when: "< 5000", result: 部门 }\n      - { when: "[0..50000)", result: 财务处 }`, good: `${TABLE}      - { when: "< 5000", result: 部门 }\n      - { when: "[5000..50000)", result: 财务处 }` }),
  'decision/unreachable': d('error', ['决策表的规则永远不会用到', 'Decision rule never matches'],
    ['表“{table}”第 {rule} 条规则（{when}）永远不会用到：它的值{why}。', 'Rule {rule} of table "{table}" ({when}) never matches: its values {why}.'],
    ['删除这条规则，或改正它或前面规则的区间。', 'Remove the rule, or correct its band or an earlier one.'],
    { bad: `${TABLE}      - { when: "< 50000", result: 部门 }\n      - { when: "< 5000", result: 财务处 }`, good: `${TABLE}      - { when: "< 5000", result: 财务处 }\n      - { when: "< 50000", result: 部门 }` }),
  'decision/columns': d('error', ['决策规则的条件个数与输入个数不符', 'Decision rule has the wrong number of tests'],
    ['表“{table}”第 {rule} 条规则写了 {count} 个条件，这张表有 {columns} 个输入。', 'Rule {rule} of table "{table}" has {count} tests; the table has {columns} inputs.'],
    ['一个输入（input）时 when 写一个条件；几个输入（inputs）时 when 写一个列表，按 inputs 的顺序每个输入一个条件，不限的写 "-"。', 'With one input, when is one test; with several (inputs), when is a list with one test per input in their order, "-" for any value.'],
    { bad: 'inputs: [{ input: leaveType }, { input: days }]\nrules:\n  - { when: ["\\"事假\\""], result: 人事处 }', good: 'inputs: [{ input: leaveType }, { input: days }]\nrules:\n  - { when: ["\\"事假\\"", "> 3"], result: 人事处 }' }),
  'decision/unchecked': d('warning', ['决策表没有检查空隙和重叠', 'Decision table not checked for gaps and overlaps'],
    ['表“{table}”{why}：没有检查这张表的空隙、重叠和永远用不到的规则，这些问题可能存在。', 'Table "{table}" {why}: it was not checked for gaps, overlaps or rules that never match, and may have them.'],
    ['把表拆成输入更少的几张，或写 default 给出其余情况的结果，并用场景覆盖各种组合。两个输入的表总会完整检查。', 'Split it into tables of fewer inputs, or give a default for the rest and cover the combinations with scenarios. Tables of two inputs are always checked in full.']),
  'decision/result-unread': d('warning', ['决策表的结果没有条件读取', 'Decision result never read'],
    ['表“{table}”的结果“{result}”没有出现在任何读这张表的流程条件中。', 'No flow condition reading table "{table}" names its result "{result}".'],
    ['在分支条件中写 {table} = "{result}"；或者这个结果与别的结果走同样的流程，就合并成一个结果。', 'Name it in a branch condition ({table} = "{result}"), or merge it with a result that takes the same path.']),
  'decision/unread': d('warning', ['决策表没有被读取', 'Decision table never read'],
    ['没有流程条件读取表“{table}”。', 'No flow condition reads table "{table}".'],
    ['在分支条件中按表的标识读取结果，如 if: {table} = "校级"；不需要就删除这张表。', 'Read it by its id in a branch condition (if: {table} = "校级"), or remove it.']),
  'decision/unknown-table': d('error', ['条件读取了不存在的决策表', 'Condition reads an undefined decision table'],
    ['条件读取“{name}”，但本事项 workflow.decisions 中没有这张表。{suggestion}', 'The condition reads "{name}", but workflow.decisions has no such table. {suggestion}'],
    ['按 workflow.decisions 中表的 id 书写（区分大小写）。', 'Write the id of a table in workflow.decisions (case matters).'],
    { bad: 'if: approvalLvl = "校级"', good: 'if: approvalLevel = "校级"' }),
} as const;
