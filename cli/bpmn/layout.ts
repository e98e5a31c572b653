import { layoutProcess } from 'bpmn-auto-layout';
import type { BpmnModdle, ModdleElement } from 'bpmn-moddle';

/** Room between two boundary events sharing a host's bottom border. */
const BOUNDARY_GAP = 8;

/**
 * Lay out a BPMN document with bpmn-auto-layout and repair what it leaves for a modeler:
 *
 * - a collapsed sub-process's content is drawn into the main plane at the origin, on top of the main
 *   flow; it is moved to the sub-process's own plane, which bpmn-js and Camunda Modeler show when one
 *   drills down into the sub-process (expanded sub-processes are laid out with misrouted edges);
 * - boundary events on one host are spread so they do not overlap (bpmnlint no-overlapping-elements).
 *
 * bpmn-auto-layout is deterministic (a grid filled in a fixed order), so the result is too.
 */
export async function layoutBpmn(moddle: BpmnModdle, xml: string): Promise<string> {
  const laid = await layoutProcess(xml);
  if (!needsRepair(laid)) return laid;
  const { rootElement: definitions } = await moddle.fromXML(laid);
  const diagram = definitions.get('diagrams')[0] as ModdleElement | undefined;
  if (!diagram) return laid;
  const rootPlane = diagram.get('plane') as ModdleElement;
  const process = definitions.get('rootElements').find((e: ModdleElement) => e.$type === 'bpmn:Process') as ModdleElement;

  for (const sub of subProcesses(process)) {
    const inside = new Set<ModdleElement>(sub.get('flowElements'));
    const planeElements = rootPlane.get('planeElement') as ModdleElement[];
    const moved = planeElements.filter((di) => inside.has(di.get('bpmnElement')));
    rootPlane.set('planeElement', planeElements.filter((di) => !inside.has(di.get('bpmnElement'))));
    const plane = moddle.create('bpmndi:BPMNPlane', { id: `BPMNPlane_${sub.id}`, bpmnElement: sub, planeElement: moved });
    const subDiagram = moddle.create('bpmndi:BPMNDiagram', { id: `BPMNDiagram_${sub.id}`, plane });
    definitions.get('diagrams').push(subDiagram);
  }
  for (const d of definitions.get('diagrams') as ModdleElement[]) spreadBoundaryEvents(d.get('plane'));
  return (await moddle.toXML(definitions, { format: true })).xml;
}

/** Whether the document has a sub-process or a host with several boundary events (parsing again costs a third of the layout). */
function needsRepair(xml: string): boolean {
  if (xml.includes('<bpmn:subProcess')) return true;
  const hosts = [...xml.matchAll(/attachedToRef="([^"]+)"/g)].map((m) => m[1]);
  return new Set(hosts).size < hosts.length;
}

function subProcesses(container: ModdleElement): ModdleElement[] {
  const out: ModdleElement[] = [];
  for (const element of container.get('flowElements') as ModdleElement[]) {
    if (element.$type === 'bpmn:SubProcess') out.push(element, ...subProcesses(element));
  }
  return out;
}

/** Place a host's boundary events side by side along its bottom border, centred, and move their edges along. */
function spreadBoundaryEvents(plane: ModdleElement): void {
  const elements = plane.get('planeElement') as ModdleElement[];
  const shapeOf = new Map<ModdleElement, ModdleElement>();
  for (const di of elements) if (di.$type === 'bpmndi:BPMNShape') shapeOf.set(di.get('bpmnElement'), di);
  const byHost = new Map<ModdleElement, ModdleElement[]>();
  for (const [element, di] of shapeOf) {
    if (element.$type !== 'bpmn:BoundaryEvent') continue;
    const host = element.get('attachedToRef') as ModdleElement;
    byHost.set(host, [...(byHost.get(host) ?? []), di]);
  }
  for (const [host, events] of byHost) {
    const hostDi = shapeOf.get(host);
    if (!hostDi || events.length < 2) continue;
    const hostBounds = hostDi.get('bounds');
    const width = events[0].get('bounds').width as number;
    const total = events.length * width + (events.length - 1) * BOUNDARY_GAP;
    let x = hostBounds.x + (hostBounds.width - total) / 2;
    for (const di of events) {
      const bounds = di.get('bounds');
      const oldCentre = bounds.x + width / 2;
      bounds.x = x;
      const newCentre = x + width / 2;
      for (const edge of elements) {
        if (edge.$type !== 'bpmndi:BPMNEdge' || edge.get('bpmnElement').get('sourceRef') !== di.get('bpmnElement')) continue;
        for (const point of edge.get('waypoint') as { x: number }[]) {
          if (point.x !== oldCentre) break;
          point.x = newCentre;
        }
      }
      x += width + BOUNDARY_GAP;
    }
  }
}
