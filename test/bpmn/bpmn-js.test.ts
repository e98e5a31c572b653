import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../site/helpers.ts';
import { planExampleCatalog } from './example.ts';
import { allElements, parseBpmn } from './inspect.ts';

/**
 * Every BPMN file of the example catalog opens in bpmn-js's Modeler (the library Camunda Modeler is
 * built on), in a real Chromium, without warnings, with every element drawn and every countersign in a
 * plane one can drill into.
 */
const example = await planExampleCatalog();
const bpmnFiles = [...example.files].filter(([file]) => file.endsWith('.bpmn'));
const MODELER = createRequire(import.meta.url).resolve('bpmn-js/dist/bpmn-modeler.production.min.js');

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.setContent('<!doctype html><html><body><div id="canvas" style="width:1600px;height:900px"></div></body></html>');
  await page.addScriptTag({ path: MODELER });
});
afterAll(async () => {
  await browser?.close();
});

describe('the example catalog in bpmn-js', () => {
  it.each(bpmnFiles)('%s opens without warnings, fully drawn', async (_file, xml) => {
    const result = await page.evaluate(async (source) => {
      // Runs in the page: the DOM is the browser's, not typed here.
      const page = globalThis as any;
      const container = page.document.getElementById('canvas');
      container.innerHTML = '';
      const modeler = new page.BpmnJS({ container });
      try {
        const { warnings } = await modeler.importXML(source);
        const drawn = modeler.get('elementRegistry').getAll().map((e: { id: string }) => e.id);
        const planes = modeler.get('canvas').getRootElements().map((r: { id: string }) => r.id);
        return { warnings: warnings.map((w: { message: string }) => w.message), drawn, planes };
      } finally {
        modeler.destroy();
      }
    }, xml);
    expect(result.warnings).toEqual([]);
    const { rootElement } = await parseBpmn(xml);
    const elements = allElements(rootElement).filter((e) => /^bpmn:(.*Task|SequenceFlow|.*Gateway|.*Event|SubProcess)$/.test(e.$type));
    const drawn = new Set(result.drawn);
    expect(elements.filter((e) => !drawn.has(e.id)).map((e) => e.id)).toEqual([]);
    const subProcesses = elements.filter((e) => e.$type === 'bpmn:SubProcess').map((e) => `${e.id}_plane`);
    expect(result.planes.filter((p: string) => p.endsWith('_plane'))).toEqual(subProcesses);
  });
});
