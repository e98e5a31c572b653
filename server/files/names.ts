import path from 'node:path';
import sanitize from 'sanitize-filename';

/** The longest original name kept (characters, before the extension the hall sets). */
const MAX_NAME = 120;

/**
 * A client's file name made safe to keep and to offer back: only its last path segment (so
 * `../../etc/passwd` is `passwd`), no control or invisible formatting characters (a right-to-left
 * override can make `exe.pdf` read as `fdp.exe`), no characters Windows or Unix refuse, NFC, at most
 * 120 characters. Chinese names survive untouched. The name is only ever shown and offered as the
 * download's name: the file on disk is named by its sha256.
 */
export function sanitiseName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  const visible = last.normalize('NFC').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
  const safe = sanitize(visible, { replacement: '_' }).replace(/\s+/g, ' ').trim().replace(/^[.\s]+/, '');
  const chars = [...safe];
  return chars.length === 0 || /^_+$/.test(safe) ? '附件' : chars.slice(0, MAX_NAME).join('');
}

/**
 * The name a download is offered under: the kept name with the extension of the type the hall
 * sniffed, so the file opens in the program for what it really is (a `.pdf` name on a PNG becomes
 * `….png`).
 */
export function downloadName(kept: string, ext: string): string {
  const current = path.extname(kept).slice(1).toLowerCase();
  if (current === ext) return kept;
  const stem = current ? kept.slice(0, -current.length - 1) : kept;
  return `${stem || '附件'}.${ext}`;
}
