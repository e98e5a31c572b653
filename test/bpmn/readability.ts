import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** bpmn-js's viewer bundle: the renderer Camunda Modeler draws with. */
export const VIEWER = createRequire(import.meta.url).resolve('bpmn-js/dist/bpmn-viewer.production.min.js');

/** What makes a drawing hard to read, one entry per offending pair, e.g. `label-label Event_a / Gateway_b`. */
export interface Readability {
  labelOnLabel: string[];
  labelOnShape: string[];
  flowThroughShape: string[];
  /** Element ids drawn per plane, to prove the check saw something. */
  drawn: number;
}

/**
 * A page with the viewer loaded and a canvas to draw in. Without a CJK font Chromium draws Chinese as
 * narrow boxes and every label would measure a third of its real width, so the check could pass on a
 * drawing a designer sees tangled: refuse to measure then (.ci/run installs fonts-wqy-microhei).
 */
export async function prepareViewer(page: Page): Promise<void> {
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="canvas" style="width:1600px;height:900px"></div></body></html>');
  await page.addScriptTag({ path: VIEWER });
  const perCharacter = await page.evaluate(() => {
    const doc = (globalThis as any).document;
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const text = doc.createElementNS('http://www.w3.org/2000/svg', 'text');
    text.setAttribute('style', 'font-family: Arial, sans-serif; font-size: 11px');
    text.textContent = '超过办理时限提醒办理人';
    svg.appendChild(text);
    doc.body.appendChild(svg);
    const width = text.getBBox().width / 10;
    svg.remove();
    return width;
  });
  if (perCharacter < 10) throw new Error(`Chromium draws Chinese ${perCharacter.toFixed(1)} px wide per character at 11 px: no CJK font, labels cannot be measured (apt-get install fonts-wqy-microhei)`);
}

/**
 * Draw a BPMN file with bpmn-js in the page and measure every plane (the process and each collapsed
 * sub-process one can drill into) on the rendered SVG: the bounding box of every label's drawn text
 * (external labels and the text inside tasks), every shape's outline and every flow's waypoints.
 *
 * - a label overlaps another label;
 * - a label overlaps a shape that is not its own, or a flow that is not its own (a label under a line);
 * - a flow segment runs through a shape that is neither its source nor its target.
 *
 * Touching (within 1 px) is not overlapping: a flow ends on its target's border, a boundary event sits on
 * its host's.
 */
export async function measureReadability(page: Page, xml: string): Promise<Readability> {
  return page.evaluate(async (source) => {
    // Runs in the page: the DOM and bpmn-js are the browser's, not typed here.
    const g = globalThis as any;
    type Box = { x: number; y: number; w: number; h: number };
    const container = g.document.getElementById('canvas');
    container.innerHTML = '';
    const viewer = new g.BpmnJS({ container });
    const out = { labelOnLabel: [] as string[], labelOnShape: [] as string[], flowThroughShape: [] as string[], drawn: 0 };
    const TOL = 1;
    const overlap = (a: Box, b: Box) => a.x < b.x + b.w - TOL && b.x < a.x + a.w - TOL && a.y < b.y + b.h - TOL && b.y < a.y + a.h - TOL;
    /** Whether a segment passes through the inside of a box (its border, within 1 px, does not count). */
    const through = (p: { x: number; y: number }, q: { x: number; y: number }, b: Box) => {
      const [x0, x1, y0, y1] = [b.x + TOL, b.x + b.w - TOL, b.y + TOL, b.y + b.h - TOL];
      if (p.x === q.x) return p.x > x0 && p.x < x1 && Math.max(p.y, q.y) > y0 && Math.min(p.y, q.y) < y1;
      if (p.y === q.y) return p.y > y0 && p.y < y1 && Math.max(p.x, q.x) > x0 && Math.min(p.x, q.x) < x1;
      // A diagonal (other tools draw them): sample it.
      for (let t = 0; t <= 1; t += 0.01) {
        const x = p.x + (q.x - p.x) * t;
        const y = p.y + (q.y - p.y) * t;
        if (x > x0 && x < x1 && y > y0 && y < y1) return true;
      }
      return false;
    };
    const bboxIn = (el: any, node: any): Box | undefined => {
      if (!node) return undefined;
      const bb = node.getBBox();
      if (!bb.width || !bb.height) return undefined;
      return { x: el.x + bb.x, y: el.y + bb.y, w: bb.width, h: bb.height };
    };
    try {
      await viewer.importXML(source);
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      for (const root of canvas.getRootElements()) {
        canvas.setRootElement(root);
        const rootOf = (e: any) => {
          let p = e;
          while (p.parent) p = p.parent;
          return p;
        };
        const all = registry.filter((e: any) => e !== root && rootOf(e) === root);
        out.drawn += all.length;
        const shapes: { id: string; el: any; box: Box }[] = [];
        const flows: { id: string; el: any; pts: { x: number; y: number }[] }[] = [];
        const labels: { id: string; owner: any; box: Box }[] = [];
        for (const e of all) {
          const gfx = registry.getGraphics(e);
          if (e.type === 'label') {
            const box = bboxIn(e, gfx.querySelector('.djs-visual text'));
            if (box) labels.push({ id: `${e.labelTarget.id}(label)`, owner: e.labelTarget, box });
          } else if (e.waypoints) {
            flows.push({ id: e.id, el: e, pts: e.waypoints });
          } else {
            const outline = bboxIn(e, gfx.querySelector('.djs-visual > :first-child'));
            shapes.push({ id: e.id, el: e, box: outline ?? { x: e.x, y: e.y, w: e.width, h: e.height } });
            const inside = bboxIn(e, gfx.querySelector('.djs-visual text'));
            if (inside) labels.push({ id: `${e.id}(text)`, owner: e, box: inside });
          }
        }
        for (let i = 0; i < labels.length; i++) {
          for (let j = i + 1; j < labels.length; j++) {
            if (overlap(labels[i].box, labels[j].box)) out.labelOnLabel.push(`${labels[i].id} / ${labels[j].id}`);
          }
          for (const s of shapes) if (s.el !== labels[i].owner && overlap(labels[i].box, s.box)) out.labelOnShape.push(`${labels[i].id} / ${s.id}`);
          for (const f of flows) {
            if (f.el === labels[i].owner) continue;
            for (let k = 0; k + 1 < f.pts.length; k++) {
              if (through(f.pts[k], f.pts[k + 1], labels[i].box)) {
                out.labelOnShape.push(`${labels[i].id} / ${f.id}`);
                break;
              }
            }
          }
        }
        for (const f of flows) {
          for (const s of shapes) {
            if (s.el === f.el.source || s.el === f.el.target) continue;
            for (let k = 0; k + 1 < f.pts.length; k++) {
              if (through(f.pts[k], f.pts[k + 1], s.box)) {
                out.flowThroughShape.push(`${f.id} / ${s.id}`);
                break;
              }
            }
          }
        }
      }
      return out;
    } finally {
      viewer.destroy();
    }
  }, xml);
}
