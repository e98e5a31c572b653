import { readFileSync } from 'node:fs';
import type { SiteModel, SiteService, SiteText } from '../../../cli/site/types.ts';

export type { SiteModel, SiteService, SiteText };
export type Lang = 'zh' | 'en';

let cached: SiteModel | undefined;

/** The compiled site model `hall site` wrote for this build; the site never reads the catalog's YAML. */
export function model(): SiteModel {
  if (cached) return cached;
  const file = process.env.HALL_SITE_MODEL;
  if (!file) throw new Error('HALL_SITE_MODEL is not set: build the site with `hall site` (or `npm run build`), not with astro directly.');
  cached = JSON.parse(readFileSync(file, 'utf8')) as SiteModel;
  return cached;
}

/** Every page exists in Chinese at / and in English at /en/. Fresh objects each call: Astro keeps what it is given. */
export function langPaths(): { params: { lang: string | undefined }; props: { lang: Lang } }[] {
  return [
    { params: { lang: undefined }, props: { lang: 'zh' } },
    { params: { lang: 'en' }, props: { lang: 'en' } },
  ];
}

/** A site path in the reader's language. */
export function href(lang: Lang, path: string): string {
  return lang === 'en' ? `/en${path}` : path;
}

/** Text in the reader's language, and the language it is actually in (English falls back to Chinese). */
export function tr(text: SiteText | undefined, lang: Lang): { text: string; lang: Lang } {
  if (!text) return { text: '', lang };
  if (lang === 'en' && text.en) return { text: text.en, lang: 'en' };
  return { text: text.zh, lang: 'zh' };
}

/** Plain text in the reader's language. */
export const tx = (text: SiteText | undefined, lang: Lang): string => tr(text, lang).text;

export const listed = (m: SiteModel): SiteService[] => m.services.filter((s) => s.status !== 'retired');

export function serviceById(m: SiteModel): Map<string, SiteService> {
  return new Map(m.services.map((s) => [s.id, s]));
}

/** Absolute URL on the published site, for feeds, JSON-LD and canonical links. */
export const absolute = (m: SiteModel, path: string): string => `${m.hall.siteUrl}${path}`;

/**
 * JSON for an inline <script> (JSON-LD): `<`, `>`, `&` and the JavaScript line separators are
 * escaped, so no catalog text can close the script element or start markup.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
