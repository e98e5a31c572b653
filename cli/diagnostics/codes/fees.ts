import { d } from './define.ts';

/** Fees computed from the form (issue 15 item 9). */
export const FEE_DIAGNOSTICS = {
  'fee/amount-needs-form': d('error', ['按表单计费但没有表单', 'Fee computed from a form that does not exist'],
    ['收费项目“{item}”按表单计算金额（{what}），但本事项没有网上表单。', 'Fee item "{item}" is computed from the form ({what}), but this service has no online form.'],
    ['去掉 quantity 和 when，只写 rate（固定金额）；或为事项加上网上表单。', 'Drop quantity and when and keep a fixed rate, or give the service an online form.']),
  'fee/tiers-order': d('error', ['分段计价的分段不正确', 'Fee tiers out of order'],
    ['收费项目“{item}”的分段{detail}', 'The tiers of fee item "{item}" {detail}'],
    ['按数量从小到大写各段的 upTo，最后一段不写 upTo（其后所有件数）。', 'Give upTo in ascending order and leave it off the last tier (all units beyond).'],
    { bad: 'tiers:\n  - { upTo: 10, rate: 2 }\n  - { upTo: 5, rate: 1 }', good: 'tiers:\n  - { upTo: 10, rate: 2 }\n  - { rate: 1 }' }),
  'fee/rate-cents': d('error', ['单价精确到分以下', 'Rate below one fen'],
    ['收费项目“{item}”的单价 {rate} 元超过两位小数，无法按分收取。', 'The rate {rate} yuan of fee item "{item}" has more than two decimals and cannot be charged in fen.'],
    ['单价最多写到分（两位小数），如 0.5 或 12.35。', 'Write rates to the fen at most (two decimals), e.g. 0.5 or 12.35.']),
} as const;
