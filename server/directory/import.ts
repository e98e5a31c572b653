import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import type { Store } from '../store/store.ts';

/**
 * A directory export: the people the hall knows and the groups@scopes they hold. Membership comes from the
 * data centre, never from git (seed 000 §11); this is the format of its export.
 */
export interface DirectoryExport {
  people: { id: string; name: string; attributes?: Record<string, string>; holds?: string[] }[];
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['people'],
  properties: {
    people: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          name: { type: 'string', minLength: 1, maxLength: 100 },
          attributes: { type: 'object', additionalProperties: { type: 'string', maxLength: 200 } },
          holds: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+(@[A-Za-z0-9_.-]+)?$' } },
        },
      },
    },
  },
} as const;

const validate = new Ajv2020({ allErrors: true }).compile<DirectoryExport>(SCHEMA);

/** Parse and check a directory export; every problem is listed with its path. */
export function parseDirectory(text: string, file: string): { directory?: DirectoryExport; problems: string[] } {
  let value: unknown;
  try {
    value = parse(text, { uniqueKeys: true });
  } catch (error) {
    return { problems: [`${file}: 不是有效的 YAML / not valid YAML: ${(error as Error).message}`] };
  }
  const valid = validate(value);
  const problems = (validate.errors ?? []).map((e) => `${file}${e.instancePath || ''}: ${e.message}`);
  const people = (value as { people?: unknown }).people;
  const seen = new Set<unknown>();
  if (Array.isArray(people)) {
    people.forEach((p: { id?: unknown }, i) => {
      if (p?.id !== undefined && seen.has(p.id)) problems.push(`${file}/people/${i}/id: 人员“${String(p.id)}”重复 / duplicate person "${String(p.id)}"`);
      seen.add(p?.id);
    });
  }
  return valid && !problems.length ? { directory: value as DirectoryExport, problems } : { problems };
}

/** Replace the directory with this export in one transaction: a half-imported directory is never visible. */
export async function importDirectory(store: Store, directory: DirectoryExport, now = new Date()): Promise<{ people: number; memberships: number }> {
  return store.transaction(async (tx) => {
    await tx.run('DELETE FROM membership');
    await tx.run('DELETE FROM person');
    let memberships = 0;
    for (const p of directory.people) {
      await tx.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', [p.id, p.name, JSON.stringify(p.attributes ?? {}), now.toISOString()]);
      for (const held of new Set(p.holds ?? [])) {
        const at = held.indexOf('@');
        await tx.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [p.id, at < 0 ? held : held.slice(0, at), at < 0 ? '' : held.slice(at + 1)]);
        memberships++;
      }
    }
    return { people: directory.people.length, memberships };
  });
}
