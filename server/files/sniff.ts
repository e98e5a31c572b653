import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';

/**
 * What an upload really is, judged from its bytes (file-type's signatures), never from the name or the
 * Content-Type the client sent: a `.pdf` that is an executable or a zip archive is refused.
 *
 * Types file-type reports under another name than the extension a form lists: JPEG is `jpg` (also
 * `.jpeg`), TIFF `tif` (also `.tiff`), and the legacy Office formats `.doc`, `.xls`, `.ppt` are all OLE
 * compound files (`cfb`) — file-type cannot tell them apart (nor from other compound files), so a
 * form that accepts one of them accepts any compound file under that extension.
 */
const SATISFIES: Record<string, string[]> = {
  jpg: ['jpg', 'jpeg'],
  tif: ['tif', 'tiff'],
  cfb: ['doc', 'xls', 'ppt'],
};

/**
 * Text has no signature: file-type finds nothing in it. A form that lists `.txt` or `.csv` accepts an
 * upload file-type cannot identify only when the whole content is text — valid UTF-8 (a BOM allowed)
 * or else valid GB18030 (what Excel on a Chinese Windows saves CSV in), with no control characters
 * but tab, line feed, carriage return and form feed. Anything else that file-type cannot identify is refused.
 */
export const TEXT_TYPES: Record<string, string> = { txt: 'text/plain', csv: 'text/csv' };

export type Judgement =
  | { ok: true; ext: string; mediaType: string }
  | { ok: false; sniffed?: string; message: { zh: string; en: string } };

/** What a file field that lists no `accept` takes: documents and photos, never any type at all. */
export const DEFAULT_ACCEPT = ['.pdf', '.jpg', '.jpeg', '.png'];

/**
 * Whether the file at `file` is one of the extensions a form field accepts (`accept`: `.pdf`, `.jpg` …;
 * none listed = DEFAULT_ACCEPT). `originalName` only picks between extensions that fit the same content
 * equally (`.jpg` or `.jpeg`, `.txt` or `.csv`).
 */
export async function judgeContent(file: string, accept: string[] | undefined, originalName: string): Promise<Judgement> {
  const accepted = (accept?.length ? accept : DEFAULT_ACCEPT).map((a) => a.replace(/^\./, '').toLowerCase());
  const named = path.extname(originalName).slice(1).toLowerCase();
  const listed = accepted.join('、');
  const sniffed = await fileTypeFromFile(file);
  if (sniffed) {
    const fits = (SATISFIES[sniffed.ext] ?? [sniffed.ext]).filter((e) => accepted.includes(e));
    if (!fits.length) {
      return {
        ok: false,
        sniffed: sniffed.mime,
        message: {
          zh: `文件内容是 ${sniffed.ext.toUpperCase()}（${sniffed.mime}），这一项只接受 ${listed}。请上传真实的 ${listed} 文件，不要只改扩展名`,
          en: `the file's content is ${sniffed.ext.toUpperCase()} (${sniffed.mime}); this field accepts only ${listed}. Upload a real ${listed} file, not a renamed one`,
        },
      };
    }
    return { ok: true, ext: fits.includes(named) ? named : fits[0], mediaType: sniffed.mime };
  }
  const textual = accepted.filter((e) => e in TEXT_TYPES);
  const unknown = {
    ok: false as const,
    message: {
      zh: `无法识别文件内容的类型，这一项只接受 ${listed}`,
      en: `the file's type cannot be recognised from its content; this field accepts only ${listed}`,
    },
  };
  if (!textual.length) return unknown;
  const charset = await textCharset(file);
  if (!charset) {
    return {
      ok: false,
      message: {
        zh: `文件不是纯文本（应为 UTF-8 或 GB18030 编码、不含控制字符），这一项只接受 ${listed}`,
        en: `the file is not plain text (UTF-8 or GB18030 without control characters); this field accepts only ${listed}`,
      },
    };
  }
  const ext = textual.includes(named) ? named : textual[0];
  return { ok: true, ext, mediaType: `${TEXT_TYPES[ext]}; charset=${charset}` };
}

/** `utf-8` or `gb18030` when the whole file decodes as that text without control characters; otherwise undefined. */
async function textCharset(file: string): Promise<'utf-8' | 'gb18030' | undefined> {
  for (const charset of ['utf-8', 'gb18030'] as const) {
    if (await decodesAsText(file, charset)) return charset;
  }
  return undefined;
}

const CONTROL = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/;

async function decodesAsText(file: string, charset: string): Promise<boolean> {
  const decoder = new TextDecoder(charset, { fatal: true });
  try {
    for await (const chunk of createReadStream(file)) if (CONTROL.test(decoder.decode(chunk as Buffer, { stream: true }))) return false;
    return !CONTROL.test(decoder.decode());
  } catch {
    return false;
  }
}
