import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { filesOf, launchChromium } from '../site/helpers.ts';
import { measureReadability, prepareViewer } from './readability.ts';

/**
 * Every diagram in generated/bpmn/ (current and kept versions) drawn by bpmn-js in a real Chromium is
 * readable: measured on the rendered SVG, no label overlaps another label, no label overlaps a shape or a
 * flow that is not its own, and no flow runs through a shape it does not connect (issue 16 item 3).
 */
const BPMN_DIR = path.join(ROOT, 'generated/bpmn');
const files = (await filesOf(BPMN_DIR)).filter((f) => f.endsWith('.bpmn'));

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await prepareViewer(page);
});
afterAll(async () => {
  await browser?.close();
});

describe('generated BPMN diagrams are readable in bpmn-js', () => {
  it('covers every example diagram', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
  });

  it.each(files)('%s: no label on a label or a foreign shape, no flow through a shape', async (file) => {
    const result = await measureReadability(page, await readFile(path.join(BPMN_DIR, file), 'utf8'));
    expect(result.drawn).toBeGreaterThan(0);
    expect({ labelOnLabel: result.labelOnLabel, labelOnShape: result.labelOnShape, flowThroughShape: result.flowThroughShape }).toEqual({ labelOnLabel: [], labelOnShape: [], flowThroughShape: [] });
  });
});
