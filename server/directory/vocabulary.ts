import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/** How a role group is divided (roles.yaml `scope`): what its `@scope` names. */
export type ScopeKind = 'university' | 'department' | 'class' | 'person';

/**
 * What a directory export may name, read from the catalog the hall runs: the role groups of roles.yaml
 * and how each is divided, the departments' codes, the IT office's code and the person-id pattern of
 * hall.yaml. The compiled definitions name their steps' groups from the same roles.yaml (`hall check`
 * refuses any other), so a group the directory holds that roles.yaml lacks can never be assigned.
 */
export interface Vocabulary {
  groups: Map<string, { scope: ScopeKind; name: string }>;
  departments: Set<string>;
  /** hall.yaml `itOffice`: the department whose people may reload the hall and see its incidents. */
  itOffice?: string;
  personId?: { pattern: string; example?: string };
}

async function yamlOf(file: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const value = parse(text) as unknown;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** Read the vocabulary from a catalog folder (the one holding hall.yaml and roles.yaml). */
export async function readVocabulary(catalogDir: string): Promise<Vocabulary> {
  const hall = (await yamlOf(path.join(catalogDir, 'hall.yaml'))) ?? {};
  const roles = (await yamlOf(path.join(catalogDir, 'roles.yaml'))) ?? {};
  const groups = new Map<string, { scope: ScopeKind; name: string }>();
  for (const g of (roles.groups as { id?: unknown; scope?: unknown; name?: { zh?: unknown } }[] | undefined) ?? []) {
    if (typeof g?.id === 'string' && typeof g.scope === 'string') groups.set(g.id, { scope: g.scope as ScopeKind, name: String(g.name?.zh ?? g.id) });
  }
  const departments = new Set<string>();
  for (const entry of (await readdir(catalogDir, { withFileTypes: true }).catch(() => [])).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const department = await yamlOf(path.join(catalogDir, entry.name, 'department.yaml'));
    if (typeof department?.code === 'string') departments.add(department.code);
  }
  const personId = hall.personId as Vocabulary['personId'] | undefined;
  return {
    groups,
    departments,
    ...(typeof hall.itOffice === 'string' ? { itOffice: hall.itOffice } : {}),
    ...(personId && typeof personId.pattern === 'string' ? { personId } : {}),
  };
}
