import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { guideChanges } from '../../cli/diff/compare-service.ts';
import type { Service } from '../../generated/types/service.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * A change notice that omits a change is the worst kind of wrong answer: when a list item's terms change (a
 * material's form or copies) together with another of its properties (its note), `hall diff` says both.
 * On the earlier main the note's edit was dropped whenever the form changed too.
 */
describe('hall diff on an item edited in two ways at once', () => {
  it('says the material’s new form and its new note', async () => {
    const service = parse(await readFile(path.join(ROOT, 'catalog/xgc/leaving-procedures.yaml'), 'utf8')) as Service;
    const before = service.guide;
    const [first, ...rest] = before.materials;
    const after = { ...before, materials: [{ ...first, form: 'original' as const, note: '请带原件到学生工作处核对。' }, ...rest] };
    const changes = guideChanges(before, after);
    const said = JSON.stringify(changes);
    expect(said).toContain('请带原件到学生工作处核对。');
    // The form change is still said as the material's terms, old → new.
    expect(changes.some((c) => c.topic === 'material' && c.from && c.to && c.from.zh !== c.to.zh)).toBe(true);
  });

  it('says a note edited alone, as before', async () => {
    const service = parse(await readFile(path.join(ROOT, 'catalog/xgc/leaving-procedures.yaml'), 'utf8')) as Service;
    const before = service.guide;
    const [first, ...rest] = before.materials;
    const changes = guideChanges(before, { ...before, materials: [{ ...first, note: '只需上传首页。' }, ...rest] });
    expect(JSON.stringify(changes)).toContain('只需上传首页。');
  });
});
