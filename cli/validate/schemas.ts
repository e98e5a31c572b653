import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import common from '../../schemas/common.schema.json' with { type: 'json' };
import department from '../../schemas/department.schema.json' with { type: 'json' };
import hall from '../../schemas/hall.schema.json' with { type: 'json' };
import roles from '../../schemas/roles.schema.json' with { type: 'json' };
import service from '../../schemas/service.schema.json' with { type: 'json' };

export type DocumentKind = 'Hall' | 'Department' | 'RoleGroups' | 'Service';

export const AUTHORING_SCHEMAS = { common, hall, department, roles, service };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const standaloneCode = ((standaloneModule as unknown as { default?: unknown }).default ?? standaloneModule) as (ajv: Ajv2020, refs: Record<string, string>) => string;

let cached: Record<DocumentKind, ValidateFunction> | undefined;
let compiledIn: string | undefined;

/**
 * Keep the compiled validators under `cacheDir` (the build's cache) and load them from there while the
 * schemas and ajv are unchanged: compiling the four schemas is a second of every build, loading them 30 ms.
 */
export function useValidatorCache(cacheDir: string): void {
  compiledIn = cacheDir;
}

/** One ajv instance and one compiled validator per kind, built on first use and reused. */
export function validators(): Record<DocumentKind, ValidateFunction> {
  if (cached) return cached;
  if (compiledIn) return (cached = cachedValidators(compiledIn, compileValidators));
  return (cached = compileValidators());
}

function compileValidators(source = false): Record<DocumentKind, ValidateFunction> {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, ...(source ? { code: { source: true } } : {}) });
  addFormats(ajv);
  for (const schema of Object.values(AUTHORING_SCHEMAS)) ajv.addSchema(schema);
  const get = (s: { $id: string }) => ajv.getSchema(s.$id) as ValidateFunction;
  const compiled = { Hall: get(hall), Department: get(department), RoleGroups: get(roles), Service: get(service) };
  if (source) compiledAjv.set(compiled, ajv);
  return compiled;
}

const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, verbose: true } as const;
const compiledAjv = new WeakMap<object, Ajv2020>();


/**
 * The validators as ajv's standalone code in `<cacheDir>/schemas/<key>.cjs`, keyed by the schemas, the
 * options, this file's own code and the versions of ajv and ajv-formats; compiled and stored when absent. The code is ajv's own
 * output for the same schemas, so it validates and reports exactly as compiling does.
 */
function cachedValidators(cacheDir: string, compile: (source: boolean) => Record<DocumentKind, ValidateFunction>): Record<DocumentKind, ValidateFunction> {
  const require = createRequire(import.meta.url);
  const version = (pkg: string) => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  const key = createHash('sha256').update(JSON.stringify([AUTHORING_SCHEMAS, AJV_OPTIONS, version('ajv'), version('ajv-formats'), readFileSync(fileURLToPath(import.meta.url), 'utf8')])).digest('hex').slice(0, 32);
  const file = path.join(cacheDir, 'schemas', `${key}.cjs`);
  try {
    const module = { exports: {} as Record<DocumentKind, ValidateFunction> };
    new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(module, module.exports, require);
    if (KINDS.every((k) => typeof module.exports[k] === 'function')) return module.exports;
  } catch {
    // None yet, or unreadable: compile.
  }
  const compiled = compile(true);
  try {
    const code = standaloneCode(compiledAjv.get(compiled)!, { Hall: hall.$id, Department: department.$id, RoleGroups: roles.$id, Service: service.$id });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, code);
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // A cache that cannot be written only makes the next check compile again.
  }
  return compiled;
}

const KINDS: DocumentKind[] = ['Hall', 'Department', 'RoleGroups', 'Service'];
