import { pinyin } from 'pinyin-pro';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * Pinyin search keys for a Chinese name: each word's full pinyin and initials, and both joined over the
 * whole name, so `xiuxue`, `shenqing`, `xiuxueshenqing`, `xx` and `xxsq` all find 休学申请. Tones are
 * dropped (nobody types them); polyphones are read in the context of the whole name.
 */
export function pinyinKeys(name: string): string[] {
  const syllables = pinyin(name, { type: 'all', toneType: 'none', nonZh: 'removed', v: true });
  // pinyin-pro returns one entry per Chinese character, in order; map them back onto the characters.
  const byIndex = new Map<number, { full: string; first: string }>();
  let next = 0;
  const chars = [...name];
  for (const s of syllables) {
    while (next < chars.length && chars[next] !== s.origin) next++;
    if (next < chars.length) byIndex.set(next++, { full: s.pinyin.toLowerCase(), first: s.first.toLowerCase() });
  }
  const words: { full: string; first: string }[] = [];
  let offset = 0;
  for (const { segment } of segmenter.segment(name)) {
    const length = [...segment].length;
    let full = '';
    let first = '';
    for (let i = offset; i < offset + length; i++) {
      const p = byIndex.get(i);
      if (p) {
        full += p.full;
        first += p.first;
      }
    }
    if (full) words.push({ full, first });
    offset += length;
  }
  const keys = new Set<string>();
  for (const w of words) keys.add(w.full);
  for (const w of words) if (w.first.length > 1) keys.add(w.first);
  if (words.length > 1) {
    keys.add(words.map((w) => w.full).join(''));
    keys.add(words.map((w) => w.first).join(''));
  }
  return [...keys];
}

/** A reading-order key for Chinese names: their toneless pinyin (other characters kept as they are). */
export function pinyinSortKey(name: string): string {
  return pinyin(name, { toneType: 'none', separator: ' ', nonZh: 'consecutive', v: true }).toLowerCase();
}
