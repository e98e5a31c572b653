import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitGenerated } from '../../cli/compile/build-generated.ts';
import { SCHEMAS_DIR } from '../../cli/shared/paths.ts';
import { loadFlows } from '../helpers/flows.ts';

/**
 * BPMN output is not cached: compiling a version with the export's own writer costs less than writing its
 * output to a cache did (cli/bpmn/plan-bpmn.ts); an unchanged version is carried over by the output index
 * instead (test/compile/output-index.test.ts). What older builds kept goes.
 */
describe('the build cache holds no compiled BPMN', () => {
  it('a build writes none there, and removes what older builds kept', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-build-cache-'));
    try {
      const cacheDir = path.join(dir, 'cache');
      mkdirSync(path.join(cacheDir, 'bpmn'), { recursive: true });
      writeFileSync(path.join(cacheDir, 'bpmn', 'a'.repeat(64)), '{"bpmn":"<old/>","forms":[]}');
      const { catalog } = await loadFlows();
      const files = new Map<string, string>();
      await emitGenerated(catalog, path.join(dir, 'generated'), SCHEMAS_DIR, files, cacheDir);
      expect([...files.keys()].filter((f) => f.endsWith('.bpmn')).sort()).toEqual(['bpmn/banded/v1.bpmn', 'bpmn/booking/v1.bpmn', 'bpmn/flow/v1.bpmn', 'bpmn/in-turn/v1.bpmn', 'bpmn/routed/v1.bpmn', 'bpmn/votes/v1.bpmn']);
      expect(existsSync(path.join(cacheDir, 'bpmn'))).toBe(false);
      // The type generator's cache is still there: the build did use the folder.
      expect(readdirSync(cacheDir)).toContain('types');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
