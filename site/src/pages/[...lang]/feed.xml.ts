import { langPaths, absolute, href, model, tx } from '../../lib/model.ts';
import type { Lang } from '../../lib/model.ts';

export function getStaticPaths() {
  return langPaths();
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Atom feed of guide changes, from git history; dated by the commits, so rebuilding changes nothing. */
export function GET({ props }: { props: { lang: Lang } }): Response {
  const { lang } = props;
  const m = model();
  const zh = lang === 'zh';
  const self = absolute(m, href(lang, '/feed.xml'));
  const host = new URL(m.hall.siteUrl).host;
  const updated = m.changes[0]?.time ?? `${m.asOf}T00:00:00Z`;
  const entries = m.changes.map((c) => {
    const what = c.subject ?? (zh ? '更新了办事指南' : 'Guide updated');
    const name = tx(c.name, lang);
    const commit = c.commit.slice(0, 7);
    // Each entry says which guide changed when and in which commit, so no two summaries read alike.
    const summary = zh ? `${c.date}，「${name}」的办事指南有更新：${what}（提交 ${commit}）` : `On ${c.date} the guide "${name}" changed: ${what} (commit ${commit})`;
    return [
      '  <entry>',
      `    <title>${xml(`${name}${zh ? '：' : ': '}${what}`)}</title>`,
      // The English feed is another feed with other entries: its ids carry the language.
      `    <id>tag:${xml(host)},${c.date}:${zh ? '' : 'en/'}${xml(c.service)}/${c.commit}</id>`,
      `    <link href="${xml(absolute(m, href(lang, `/services/${c.service}/`)))}"/>`,
      `    <updated>${xml(c.time)}</updated>`,
      `    <summary>${xml(summary)}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  const body = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${zh ? 'zh-CN' : 'en'}">`,
    `  <title>${xml(`${tx(m.hall.name, lang)}${zh ? ' 办事指南更新' : ': guide changes'}`)}</title>`,
    `  <id>${xml(self)}</id>`,
    `  <link rel="self" href="${xml(self)}"/>`,
    `  <link href="${xml(absolute(m, href(lang, '/')))}"/>`,
    `  <updated>${xml(updated)}</updated>`,
    `  <author><name>${xml(tx(m.hall.university, lang))}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
  return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
}
