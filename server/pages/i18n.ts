import type { FastifyRequest } from 'fastify';

export type Lang = 'zh' | 'en';

/** Chinese first: English only when the reader chose it (the header's switch sets the `hall_lang` cookie). */
export function langOf(request: FastifyRequest): Lang {
  return request.cookies?.hall_lang === 'en' ? 'en' : 'zh';
}

/** A catalog text (`{zh, en?}`) in the reader's language; English falls back to Chinese, as on the guide site. */
export function tx(text: { zh: string; en?: string } | undefined, lang: Lang): string {
  if (!text) return '';
  return lang === 'en' ? (text.en ?? text.zh) : text.zh;
}

/** A text of the pages themselves, written in both languages where it is used. */
export function t(lang: Lang, zh: string, en: string): string {
  return lang === 'en' ? en : zh;
}
