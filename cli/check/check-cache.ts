import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { DocumentKind } from '../validate/schemas.ts';
import type { Catalog } from '../model/catalog.ts';

/** One remembered result: the hash of everything it was computed from, and the result, serialized. */
interface Entry {
  key: string;
  data: Buffer;
}

/** What a blob of the cache holds: the toolchain it was made by, and one entry per file. */
interface Blob {
  toolchain: string;
  entries: Map<string, Entry>;
}

/** A file that parsed without a finding and is valid against the schema of its kind. */
export interface CleanFile {
  kind: DocumentKind;
  value: Record<string, unknown>;
}

const hashOf = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

/**
 * The check's memory between builds (issue 16 item 2), kept in two files under `<cacheDir>/check/`:
 * - parse: for each YAML file that parsed cleanly and is valid, its data, under a hash of its path and
 *   bytes. Parsing and validating a file depend on nothing else, so an unchanged file is not parsed again.
 * - lint: for each service, the lint findings in its file, under a hash of its path and bytes and of
 *   everything a rule may read besides the service itself (`lintContext`). Every rule looks at one
 *   service at a time with that as context; a change of the context reaches every service and relints
 *   them all, any other change only the services whose files changed. (Resolving, which checks the
 *   references between files — departments, groups, successors, e-certificates — reads no YAML and
 *   runs in full every time.)
 * Both are keyed by a fingerprint of the toolchain (`toolchain`), so a change of parser, schemas or rules
 * starts from nothing. Values are stored with v8's serializer (exact for every value YAML gives: numbers,
 * infinities, nested data) and deserialized afresh for each use, so nothing downstream can alter the cache.
 * The result is the same as without the cache: test/compile/incremental.test.ts compares them on random edits.
 */
export class CheckCache {
  /** `<cacheDir>/check`: where this cache (and the compiled schema validators) live. */
  readonly dir: string;
  private readonly toolchain: string;
  private readonly old: { parse: Blob; lint: Blob };
  private readonly next = { parse: new Map<string, Entry>(), lint: new Map<string, Entry>() };
  private changed = { parse: false, lint: false };
  /** How many files were parsed and services linted anew (for tests and the bench). */
  readonly misses = { parse: 0, lint: 0 };

  constructor(cacheDir: string, toolchain: string) {
    this.dir = path.join(cacheDir, 'check');
    this.toolchain = toolchain;
    this.old = { parse: this.load('parse'), lint: this.load('lint') };
  }

  private load(name: 'parse' | 'lint'): Blob {
    try {
      const blob = deserialize(readFileSync(path.join(this.dir, `${name}.bin`))) as Blob;
      if (blob.toolchain === this.toolchain && blob.entries instanceof Map) return blob;
    } catch {
      // No cache yet, or an unreadable one: start from nothing.
    }
    return { toolchain: this.toolchain, entries: new Map() };
  }

  private lookup(name: 'parse' | 'lint', file: string, key: string): Buffer | undefined {
    const entry = this.old[name].entries.get(file);
    if (entry?.key !== key) {
      this.misses[name]++;
      return undefined;
    }
    this.next[name].set(file, entry);
    return entry.data;
  }

  private store(name: 'parse' | 'lint', file: string, key: string, value: unknown): void {
    this.next[name].set(file, { key, data: serialize(value) });
    this.changed[name] = true;
  }

  /** Keys already computed in this check, by the bytes read (each file's key is asked for parse and lint). */
  private readonly keys = new WeakMap<Uint8Array, { file: string; key: string }>();

  /** The hash of a file's path and bytes, computed once per check. */
  fileKey(file: string, bytes: Uint8Array): string {
    const known = this.keys.get(bytes);
    if (known?.file === file) return known.key;
    const key = hashOf(file, bytes);
    this.keys.set(bytes, { file, key });
    return key;
  }

  /** The clean parse of `file` when its bytes are those remembered. */
  parsed(file: string, bytes: Uint8Array): CleanFile | undefined {
    const data = this.lookup('parse', file, this.fileKey(file, bytes));
    return data && (deserialize(data) as CleanFile);
  }

  rememberParsed(file: string, bytes: Uint8Array, clean: CleanFile): void {
    this.store('parse', file, this.fileKey(file, bytes), clean);
  }

  /**
   * A key for everything a rule reads besides the service it looks at: hall.yaml's settings (the data
   * sources, audiences, person-id format …), which department codes exist (in catalog order), and the
   * judging date. Role groups and the departments' own texts are read only by rules about those files,
   * which run every time: editing roles.yaml or a department's name relints no service.
   */
  static lintContext(catalog: Pick<Catalog, 'hall' | 'departments'>, today: string): string {
    return hashOf(today, catalog.hall ? catalog.hall.parsed.file : '', catalog.hall ? serialize(catalog.hall.value) : '', ...catalog.departments.keys());
  }

  /** The lint findings of the service in `file`, when it and the context are as remembered. */
  linted(file: string, serviceKey: string): Diagnostic[] | undefined {
    const data = this.lookup('lint', file, serviceKey);
    return data && (deserialize(data) as Diagnostic[]);
  }

  rememberLinted(file: string, serviceKey: string, diagnostics: Diagnostic[]): void {
    this.store('lint', file, serviceKey, diagnostics);
  }

  /** Write what this check used and found (entries of files that are gone are dropped). */
  save(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      for (const name of ['parse', 'lint'] as const) {
        if (!this.changed[name] && this.next[name].size === this.old[name].entries.size) continue;
        const file = path.join(this.dir, `${name}.bin`);
        writeFileSync(`${file}.${process.pid}.tmp`, serialize({ toolchain: this.toolchain, entries: this.next[name] } satisfies Blob));
        renameSync(`${file}.${process.pid}.tmp`, file);
      }
    } catch {
      // A cache that cannot be written only makes the next check slower.
    }
  }
}
