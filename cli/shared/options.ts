import { Argument, Option } from 'commander';
import type { Lang } from '../diagnostics/diagnostic.ts';
import { OUTPUT_FORMATS } from '../diagnostics/format/index.ts';
import type { OutputFormat } from '../diagnostics/format/index.ts';

export const langOption = () => new Option('--lang <lang>', '输出语言 / output language').choices(['zh', 'en']).default(defaultLang());
export const formatOption = () => new Option('--format <format>', '输出格式 / output format').choices(OUTPUT_FORMATS).default('pretty');
/** The catalog every command works on; omitted, it is found upwards from the current folder (like git). */
export const dirArgument = () => new Argument('[dir]', '目录文件夹；省略时从当前文件夹向上查找 hall.yaml / catalog folder; found upwards from here when omitted');
/**
 * Where a command writes: always `--out`, a folder for commands that write several files, a file for
 * those that write one. `default` is relative to the repository root, whatever folder hall runs in.
 */
export const outOption = (kind: 'dir' | 'file', description: string) => new Option(`--out <${kind}>`, description);
/** The name `--out` had in `hall check` and `hall diff` before one vocabulary: still read, no longer shown. */
export const legacyOutputOption = () => new Option('--output <file>').hideHelp();
/** `--out`, or the old `--output` where a command still reads it. */
export const outPath = (options: { out?: string; output?: string }): string | undefined => options.out ?? options.output;
export const failOnOption = () => new Option('--fail-on <severity>', '达到该级别即以 1 退出 / exit 1 at or above this severity').choices(['error', 'warning']).default('error');

/** Chinese unless the environment asks for English (HALL_LANG=en). */
function defaultLang(): Lang {
  return process.env.HALL_LANG === 'en' ? 'en' : 'zh';
}

export interface OutputOptions {
  lang: Lang;
  format: OutputFormat;
  failOn: 'error' | 'warning';
}

/** Colour only on a terminal, never with NO_COLOR, always with FORCE_COLOR. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

/** Today in the hall's time zone (Asia/Shanghai unless set), as YYYY-MM-DD. */
export function todayIn(timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
