/** Chinese and English names of role groups and departments → their ids, so `group: 辅导员` can suggest `counselor`. */
export interface IdsByName {
  group: Map<string, string>;
  department: Map<string, string>;
}

/** A name as typed, compared without case or spaces (ASCII, full-width, invisible). */
export function nameKey(text: string): string {
  return text.toLowerCase().replace(/[\s\u200b-\u200d\u2060\ufeff]/g, '');
}

/** Add a `{zh, en}` (or plain) name for `id`; the first holder of a name keeps it. */
export function addNames(map: Map<string, string>, name: unknown, id: string): void {
  if (typeof name === 'string') name = { zh: name };
  if (!name || typeof name !== 'object') return;
  for (const text of Object.values(name as Record<string, unknown>)) if (typeof text === 'string' && !map.has(nameKey(text))) map.set(nameKey(text), id);
}

/** The names of every group in roles files and every department in department files, read from plain data. Pure. */
export function idsByName(values: (Record<string, unknown> | undefined)[]): IdsByName {
  const ids: IdsByName = { group: new Map(), department: new Map() };
  for (const v of values) {
    if (!v) continue;
    if (v.kind === 'RoleGroups' && Array.isArray(v.groups)) {
      for (const g of v.groups as { id?: unknown; name?: unknown }[]) if (typeof g?.id === 'string') addNames(ids.group, g.name, g.id);
    }
    if (v.kind === 'Department' && typeof v.code === 'string') addNames(ids.department, v.name, v.code);
  }
  return ids;
}

/** What a reference at `path` names: a role group, a department, or neither. */
export function referenceKind(path: (string | number)[]): keyof IdsByName | undefined {
  const last = path.filter((p) => typeof p === 'string').pop();
  if (last === 'group') return 'group';
  if (last === 'owner' || last === 'department' || last === 'maintainer' || last === 'itOffice' || last === 'participants') return 'department';
  return undefined;
}
