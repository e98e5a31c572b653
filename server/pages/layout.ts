import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { t } from './i18n.ts';
import type { Lang } from './i18n.ts';

/**
 * One look with the guide: the pages are styled by the guide site's own stylesheet
 * (site/src/styles/site.css, read here at start, byte for byte the file Astro bundles) followed by the few
 * rules only the pages need (pages.css). Served as one file from the hall's own origin, named by its hash
 * so it can be cached for good. No web fonts, no request to any other origin.
 */
const SITE_CSS = readFileSync(new URL('../../site/src/styles/site.css', import.meta.url), 'utf8');
const PAGES_CSS = readFileSync(new URL('./pages.css', import.meta.url), 'utf8');
export const STYLESHEET = `${SITE_CSS}\n${PAGES_CSS}`;
export const STYLESHEET_PATH = `/assets/hall-${createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12)}.css`;

/**
 * Links shown in the dev banner (`hall serve --dev` only), after the persona picker. Slot for `hall dev`:
 * its pages (the outbox viewer at /dev/outbox, "save run as scenario") add themselves here at merge.
 */
export const DEV_LINKS: { href: string; zh: string; en: string }[] = [{ href: '/dev/outbox', zh: '通知发件箱', en: 'Outbox' }];

export interface Viewer {
  id: string;
  name: string;
  csrf: string;
}

export interface LayoutInput {
  lang: Lang;
  title: string;
  hallName: string;
  /** The page's own address (for the language switch to come back to). */
  path: string;
  viewer?: Viewer;
  dev: boolean;
  body: SafeHtml;
}

/** The page around every hall page: the guide's header, skip link, footer; the preview banner under --dev. */
export function layout(input: LayoutInput): string {
  const { lang, viewer } = input;
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const back = encodeURIComponent(input.path);
  const banner = input.dev
    ? html`<div class="preview" role="note"><strong>预览 / preview</strong> · ${t(lang, '开发模式，数据仅供试用', 'development mode, trial data only')} · <a href="/dev/personas">${t(lang, '选择身份', 'Pick a persona')}</a><span class="dev-links">${DEV_LINKS.map((l) => html`<a href="${l.href}">${t(lang, l.zh, l.en)}</a>`)}</span></div>`
    : '';
  const page = html`<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${input.title} - ${input.hallName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">${t(lang, '跳到正文', 'Skip to content')}</a>
${banner}
<header class="top">
<div class="bar">
<a class="brand" href="/">${input.hallName}</a>
<nav aria-label="${t(lang, '主导航', 'Main')}">
<ul>
${viewer ? html`<li><a href="/applications">${t(lang, '我的申请', 'My applications')}</a></li><li><a href="/tasks">${t(lang, '待办', 'To do')}</a></li><li><a href="/publicity">${t(lang, '公示', 'Publicity')}</a></li>` : ''}
<li><a href="/lang/${other}?next=${back}" lang="${other === 'zh' ? 'zh-CN' : 'en'}">${other === 'zh' ? '中文' : 'English'}</a></li>
</ul>
</nav>
</div>
</header>
<main id="main">
${viewer ? html`<p class="who muted">${t(lang, '当前用户：', 'Signed in as ')}${viewer.name}（${viewer.id}）</p>` : ''}
${input.body}
</main>
<footer class="foot">
<p>${input.hallName}</p>
<p class="muted">${t(lang, '您提交的表单和审批意见只对您和办理人可见。', 'What you submit is seen only by you and the people who handle it.')}</p>
</footer>
</body>
</html>
`;
  return page.value;
}
