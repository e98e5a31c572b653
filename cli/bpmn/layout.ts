import type { BpmnElement, BpmnFactory } from './xml.ts';
import type { RuntimeApplicantStep, RuntimeBranch, RuntimeDefinition, RuntimeNode, RuntimeParallel, RuntimePayment, RuntimePublicity, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { flowId } from './compile-process.ts';
import { countsApprovals } from './countersign.ts';
import { publicityIds } from './publicity.ts';
import { paymentIds } from './payment.ts';

/**
 * The diagram (BPMN DI) of a compiled process, computed from the workflow tree it was compiled from.
 *
 * A workflow is a sequence of known shapes (a step with its decision, return loop and timers; a branch;
 * a countersign), so each shape is drawn as a block and blocks are placed left to right: the approval
 * path runs on one line, else-paths below the then-path, return loops and "no valid action" loops below
 * their step, rejections above their decision, timers' ends below their task. Every flow is routed
 * orthogonally inside its block, where no other shape is. Labels are then placed one by one at the first
 * free spot near their element (free of every shape, flow and label already placed but their own).
 * One pass over the tree and a bounded search per label: linear in the size of the workflow.
 *
 * A countersign is a collapsed sub-process whose content is drawn in a plane of its own, which bpmn-js
 * and Camunda Modeler open when one drills down into it.
 *
 * Throws when an element of the process gets no shape: the layout and compile-process have drifted.
 */
export function layoutDefinitions(model: BpmnFactory, definitions: BpmnElement, definition: RuntimeDefinition): void {
  const process = (definitions.get('rootElements') as BpmnElement[]).find((e) => e.$type === 'bpmn:Process')!;
  const byId = new Map<string, BpmnElement>();
  const index = (container: BpmnElement): void => {
    for (const element of container.get('flowElements') as BpmnElement[]) {
      byId.set(element.id!, element);
      if (element.$type === 'bpmn:SubProcess') index(element);
    }
  };
  index(process);
  const layout = new Layout(byId);

  const main = new Plane();
  const start = layout.get('StartEvent_submitted');
  main.place(start, 0, 0, EVENT, EVENT);
  const body = layout.sequence(main, definition.workflow?.steps ?? [], EVENT + layout.gapAfter({ el: start }), 0);
  const last: Exit = body.exit ?? { el: start };
  if (body.first) layout.connect(main, { el: start }, body.first);
  const end = layout.get('EndEvent_approved');
  main.place(end, body.right + layout.gapAfter(last), -EVENT / 2, EVENT, EVENT);
  layout.connect(main, last, end);
  layout.returnLoops(main);

  const diagrams: BpmnElement[] = [diagram(model, process, main)];
  for (const [sub, plane] of layout.subPlanes) diagrams.push(diagram(model, sub, plane));
  const drawn = new Set<BpmnElement>([...main.shapes.map((s) => s.el), ...main.edges.map((e) => e.flow)]);
  for (const [, plane] of layout.subPlanes) for (const e of [...plane.shapes.map((s) => s.el), ...plane.edges.map((x) => x.flow)]) drawn.add(e);
  const missing = [...byId.values()].filter((e) => !drawn.has(e));
  if (missing.length) throw new Error(`BPMN layout of ${definition.id}: no shape for ${missing.map((e) => e.id).join(', ')} (layout.ts and compile-process.ts disagree)`);
  definitions.set('diagrams', diagrams);
}

/** Sizes as Camunda Modeler draws new elements. */
const EVENT = 36;
const GATEWAY = 50;
const TASK_H = 80;
/** Least room between two shapes on a row. */
const GAP = 50;
/** Room after a gateway, whose label above it is wider than it. */
const GATEWAY_GAP = 80;
/** Room beside a task for its timers' labels. */
const TIMER_GAP = 110;
/** Below a step's line: the centre of the ends hanging from it, the return row, the loop lanes. */
const HANG = 120;
const RETURN_ROW = 250;
/** Above a decision: the centre of its rejection's end. */
const REJECT_ROW = -130;
/** Between two stacked rows (a then-path and its else-path, two countersign steps). */
const ROW_GAP = 80;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Pt {
  x: number;
  y: number;
}

/** Where a block leaves from: the element, and the tag of the flow it leaves by (see compile-process). */
interface Exit {
  el: BpmnElement;
  tag?: string;
}

/** A laid-out block: its first element (entered from the left on its row) and its exit. */
interface Block {
  first?: BpmnElement;
  exit?: Exit;
  /** The right edge of the exit element (or of the block's left when empty). */
  right: number;
}

/** The shapes and flows of one diagram plane, in the order they were drawn. */
class Plane {
  shapes: { el: BpmnElement; b: Box; label?: Box }[] = [];
  edges: { flow: BpmnElement; pts: Pt[]; label?: Box }[] = [];
  box = new Map<BpmnElement, Box>();
  /** Where to look first for a label, when its element's kind does not say. */
  prefer = new Map<BpmnElement, Side[]>();

  place(el: BpmnElement, x: number, y: number, w: number, h: number): Box {
    const b = { x, y, w, h };
    this.shapes.push({ el, b });
    this.box.set(el, b);
    return b;
  }

  edge(flow: BpmnElement, pts: Pt[]): void {
    this.edges.push({ flow, pts: simplify(pts) });
  }

  of(el: BpmnElement): Box {
    const b = this.box.get(el);
    if (!b) throw new Error(`BPMN layout: ${el.id} is not placed yet`);
    return b;
  }

  mark(): [number, number] {
    return [this.shapes.length, this.edges.length];
  }

  /** Top and bottom of everything drawn since `mark`. */
  extent([s, e]: [number, number]): { minY: number; maxY: number; maxX: number } {
    let minY = Infinity;
    let maxY = -Infinity;
    let maxX = -Infinity;
    for (const { b } of this.shapes.slice(s)) {
      minY = Math.min(minY, b.y);
      maxY = Math.max(maxY, b.y + b.h);
      maxX = Math.max(maxX, b.x + b.w);
    }
    for (const { pts } of this.edges.slice(e)) {
      for (const p of pts) {
        minY = Math.min(minY, p.y);
        maxY = Math.max(maxY, p.y);
        maxX = Math.max(maxX, p.x);
      }
    }
    return { minY, maxY, maxX };
  }

  shift([s, e]: [number, number], dx: number, dy: number): void {
    for (const { b } of this.shapes.slice(s)) {
      b.x += dx;
      b.y += dy;
    }
    for (const { pts } of this.edges.slice(e)) {
      for (const p of pts) {
        p.x += dx;
        p.y += dy;
      }
    }
  }
}

const right = (b: Box): Pt => ({ x: b.x + b.w, y: b.y + b.h / 2 });
const left = (b: Box): Pt => ({ x: b.x, y: b.y + b.h / 2 });
const top = (b: Box): Pt => ({ x: b.x + b.w / 2, y: b.y });
const bottom = (b: Box): Pt => ({ x: b.x + b.w / 2, y: b.y + b.h });
const cx = (b: Box): number => b.x + b.w / 2;

class Layout {
  subPlanes = new Map<BpmnElement, Plane>();
  /** Returns to a chosen step (return-to.ts): flows back to an earlier step's entry, drawn last, above everything. */
  private loops: { flow: BpmnElement; from: () => Pt[]; to: BpmnElement }[] = [];
  /** Returns to an earlier member of the 依次审批 being laid out: lanes above its own plane. */
  private memberLoops: { flow: BpmnElement; from: () => Pt[]; to: BpmnElement }[] = [];

  private byId: Map<string, BpmnElement>;

  constructor(byId: Map<string, BpmnElement>) {
    this.byId = byId;
  }

  get(id: string): BpmnElement {
    const el = this.byId.get(id);
    if (!el) throw new Error(`BPMN layout: no element ${id} (layout.ts and compile-process.ts disagree)`);
    return el;
  }

  opt(id: string): BpmnElement | undefined {
    return this.byId.get(id);
  }

  flow(exit: Exit, target: BpmnElement): BpmnElement {
    return this.get(flowId(exit.el.id!, target.id!, exit.tag));
  }

  /** A straight flow from an exit to an element on the same row. */
  connect(plane: Plane, exit: Exit, target: BpmnElement): void {
    const from = plane.of(exit.el);
    const to = plane.of(target);
    plane.edge(this.flow(exit, target), [right(from), { x: to.x, y: right(from).y }]);
  }

  /** Room after an exit: for the label of the flow leaving it, and for a task's timer labels. */
  gapAfter(exit: Exit): number {
    const name = (exit.el.get('outgoing') as BpmnElement[]).find((f) => (exit.tag ? f.id!.endsWith(`_${exit.tag}`) : true))?.name as string | undefined;
    const forLabel = name ? Math.min(textWidth(name), FLOW_LABEL_W) + 30 : 0;
    const forTimers = exit.el.$type === 'bpmn:UserTask' || exit.el.$type === 'bpmn:ReceiveTask' || exit.el.$type === 'bpmn:SubProcess' ? TIMER_GAP : 0;
    // Gateways' labels sit above them, wider than the gateway.
    const forGatewayLabel = /Gateway$/.test(exit.el.$type) ? GATEWAY_GAP : 0;
    return Math.max(GAP, forLabel, forTimers, forGatewayLabel);
  }

  sequence(plane: Plane, nodes: RuntimeNode[], x: number, y: number, countersign = false): Block {
    let first: BpmnElement | undefined;
    let exit: Exit | undefined;
    let at = x;
    for (const node of nodes) {
      if (exit) at += this.gapAfter(exit);
      const block = node.kind === 'step' || node.kind === 'applicant' ? this.step(plane, node, at, y, countersign) : node.kind === 'branch' ? this.branch(plane, node, at, y) : node.kind === 'publicity' ? this.publicity(plane, node, at, y) : node.kind === 'payment' ? this.payment(plane, node, at, y) : this.parallel(plane, node, at, y);
      if (exit && block.first) this.connect(plane, exit, block.first);
      first ??= block.first;
      exit = block.exit ?? exit;
      at = block.right;
    }
    return { first, exit, right: at };
  }

  /** A publicity period (publicity.ts): 公示开始 → merge → event gateway → 公示期满 on the row, 收到异议 below, looping back to the merge. */
  publicity(plane: Plane, node: RuntimePublicity, x: number, y: number): Block {
    const ids = publicityIds(node.id);
    const [published, open, wait, objection, ended] = [ids.published, ids.open, ids.wait, ids.objection, ids.ended].map((id) => this.get(id));
    const p = plane.place(published, x, y - EVENT / 2, EVENT, EVENT);
    const o = plane.place(open, p.x + EVENT + GAP, y - GATEWAY / 2, GATEWAY, GATEWAY);
    this.connect(plane, { el: published }, open);
    const w = plane.place(wait, o.x + GATEWAY + GATEWAY_GAP, y - GATEWAY / 2, GATEWAY, GATEWAY);
    this.connect(plane, { el: open }, wait);
    const e = plane.place(ended, w.x + GATEWAY + GATEWAY_GAP, y - EVENT / 2, EVENT, EVENT);
    this.connect(plane, { el: wait }, ended);
    const m = plane.place(objection, cx(w) - EVENT / 2, y + HANG - EVENT / 2, EVENT, EVENT);
    plane.edge(this.flow({ el: wait }, objection), [bottom(w), top(m)]);
    plane.edge(this.flow({ el: objection }, open), [left(m), { x: cx(o), y: y + HANG }, bottom(o)]);
    return { first: published, exit: { el: ended }, right: e.x + EVENT };
  }

  /**
   * A payment step (payment.ts): 计算应缴金额 → 需要缴费？ → 下单 → 等待缴费确认 → merge on the row; 无需缴费 on a
   * lane above, from the gateway's top to the merge's; the timer below the receive task, to 逾期未缴费 and on to the
   * merge (or to its end event).
   */
  payment(plane: Plane, node: RuntimePayment, x: number, y: number): Block {
    const ids = paymentIds(node.id);
    const [amount, owed, free, order, wait, timeout, unpaid, settled] = [ids.amount, ids.owed, ids.free, ids.order, ids.wait, ids.timeout, ids.unpaid, ids.settled].map((id) => this.get(id));
    const end = this.opt(ids.end);
    const a = plane.place(amount, x, y - EVENT / 2, EVENT, EVENT);
    const g = plane.place(owed, a.x + EVENT + GAP, y - GATEWAY / 2, GATEWAY, GATEWAY);
    this.connect(plane, { el: amount }, owed);
    const ow = boxWidth(order.name as string);
    const o = plane.place(order, g.x + GATEWAY + this.gapAfter({ el: owed, tag: 'owed' }), y - TASK_H / 2, ow, TASK_H);
    this.connect(plane, { el: owed, tag: 'owed' }, order);
    const ww = boxWidth(wait.name as string);
    const w = plane.place(wait, o.x + ow + GAP, y - TASK_H / 2, ww, TASK_H);
    this.connect(plane, { el: order }, wait);
    const t = plane.place(timeout, w.x + ww - 22 - EVENT / 2, w.y + w.h - EVENT / 2, EVENT, EVENT);
    const u = plane.place(unpaid, cx(t) - EVENT / 2, y + HANG - EVENT / 2, EVENT, EVENT);
    plane.edge(this.flow({ el: timeout }, unpaid), [bottom(t), top(u)]);
    const m = plane.place(settled, w.x + ww + TIMER_GAP, y - GATEWAY / 2, GATEWAY, GATEWAY);
    this.connect(plane, { el: wait }, settled);
    const f = plane.place(free, (cx(g) + cx(m)) / 2 - EVENT / 2, y - HANG - EVENT / 2, EVENT, EVENT);
    plane.edge(this.flow({ el: owed, tag: 'free' }, free), [top(g), { x: cx(g), y: y - HANG }, left(f)]);
    plane.edge(this.flow({ el: free }, settled), [right(f), { x: cx(m), y: y - HANG }, top(m)]);
    if (end) {
      plane.place(end, u.x + EVENT + GAP, y + HANG - EVENT / 2, EVENT, EVENT);
      this.connect(plane, { el: unpaid }, end);
    } else {
      plane.edge(this.flow({ el: unpaid }, settled), [right(u), { x: cx(m), y: y + HANG }, bottom(m)]);
    }
    return { first: amount, exit: { el: settled }, right: m.x + GATEWAY };
  }

  /** enter? → assignable? → task (+ timers) → decision?, with the decision's reject, return and retry. */
  step(plane: Plane, step: RuntimeStep | RuntimeApplicantStep, x: number, y: number, countersign: boolean): Block {
    const task = this.get(`Task_${step.id}`);
    const enter = this.opt(`Gateway_${step.id}_enter`);
    const assign = this.opt(`Gateway_${step.id}_assignable`);
    const decision = this.opt(`Gateway_${step.id}_decision`);
    const reminder = this.opt(`Event_${step.id}_reminder`);
    // A system step (issue 15.3) is a service task alone on the row: no deadline timer, no decision.
    const overdue = 'system' in step && step.system ? undefined : this.get(`Event_${step.id}_overdue`);
    // In a countersign only a member of `returnReopens: member` has its own revise loop (compile-process.ts).
    const revise = this.opt(`Task_${step.id}_revise`);
    let at = x;
    let previous: Exit | undefined;
    let first: BpmnElement | undefined;
    const onRow = (el: BpmnElement, w: number, h: number, gapBefore?: number): Box => {
      if (previous) at += gapBefore ?? this.gapAfter(previous);
      const b = plane.place(el, at, y - h / 2, w, h);
      if (previous) this.connect(plane, previous, el);
      first ??= el;
      at += w;
      return b;
    };
    const enterBox = enter ? onRow(enter, GATEWAY, GATEWAY) : undefined;
    if (enter) previous = { el: enter };
    if (assign) {
      const b = onRow(assign, GATEWAY, GATEWAY);
      const end = this.get(`EndEvent_${step.id}_unassigned`);
      const e = plane.place(end, cx(b) - EVENT / 2, y + HANG - EVENT / 2, EVENT, EVENT);
      plane.edge(this.flow({ el: assign, tag: 'unassigned' }, end), [bottom(b), top(e)]);
      previous = { el: assign, tag: 'assignable' };
    }
    const w = boxWidth(task.name as string);
    const taskBox = onRow(task, w, TASK_H, previous && reminder ? Math.max(TIMER_GAP, this.gapAfter(previous)) : undefined);
    if (overdue) this.timer(plane, overdue, taskBox, taskBox.x + w - 22 - EVENT / 2, y);
    if (reminder) this.timer(plane, reminder, taskBox, taskBox.x + 22 - EVENT / 2, y);
    // An applicant step (issue 15.1) is its task and timer only.
    if (!decision || step.kind === 'applicant') return { first, exit: { el: task }, right: at };

    // The decision sits far enough right for the revise task to fit under the step, right of `enter`.
    const reviseW = revise ? boxWidth(revise.name as string) : 0;
    // In a countersign the return's end hangs left of the decision: room for it beside the timers' ends.
    const decisionX = Math.max(at + TIMER_GAP + (countersign && step.actions.includes('return') ? 100 : 0), revise && enterBox ? cx(enterBox) + 40 + reviseW + 40 - GATEWAY / 2 : 0);
    previous = { el: task };
    const d = onRow(decision, GATEWAY, GATEWAY, decisionX - at);
    const rejected = this.opt(`EndEvent_${step.id}_rejected`);
    const rejects = this.opt(`Gateway_${step.id}_rejects`);
    if (rejects && rejected) this.voteOnReject(plane, step, decision, d, rejects, rejected, y);
    else if (rejected) {
      const e = plane.place(rejected, cx(d) - EVENT / 2, y + REJECT_ROW - EVENT / 2, EVENT, EVENT);
      plane.edge(this.flow({ el: decision, tag: 'reject' }, rejected), [top(d), bottom(e)]);
    }
    this.returnsTo(plane, step, decision, d, y, countersign);
    const lowerRight = { x: cx(d) + GATEWAY / 4, y: y + GATEWAY / 4 };
    const returnEnd = countersign ? this.opt(`EndEvent_${step.id}_returned`) : undefined;
    let lane = y + HANG + 100;
    if (returnEnd) {
      // Down and to the left, clear of the retry loop that leaves the decision's lower right.
      const e = plane.place(returnEnd, cx(d) - 45 - EVENT / 2, y + HANG - EVENT / 2, EVENT, EVENT);
      plane.edge(this.flow({ el: decision, tag: 'return' }, returnEnd), [bottom(d), { x: cx(d), y: y + HANG }, right(e)]);
      plane.prefer.set(returnEnd, ['belowLeft', 'left', 'below', 'aboveLeft']);
    }
    if (revise && enterBox) {
      const r = plane.place(revise, cx(d) - 40 - reviseW, y + RETURN_ROW - TASK_H / 2, reviseW, TASK_H);
      plane.edge(this.flow({ el: decision, tag: 'return' }, revise), [bottom(d), { x: cx(d), y: y + RETURN_ROW }, right(r)]);
      plane.edge(this.flow({ el: revise }, enter!), [left(r), { x: cx(enterBox), y: y + RETURN_ROW }, bottom(enterBox)]);
      lane = y + RETURN_ROW + TASK_H / 2 + 60;
    }
    if (enterBox) {
      const invalid = this.flow({ el: decision, tag: 'invalid' }, enter!);
      if (revise || returnEnd) {
        const lowerLeft = { x: cx(enterBox) - GATEWAY / 4, y: y + GATEWAY / 4 };
        plane.edge(invalid, [lowerRight, { x: lowerRight.x, y: lane }, { x: lowerLeft.x, y: lane }, lowerLeft]);
      } else {
        plane.edge(invalid, [bottom(d), { x: cx(d), y: lane }, { x: cx(enterBox), y: lane }, bottom(enterBox)]);
      }
    }
    return { first, exit: { el: decision, tag: 'approve' }, right: at };
  }

  /**
   * Returns to a chosen step: from the decision's upper right, a little right, then up to a lane above the
   * whole diagram and back left into the target's entry from above (returnLoops). In a countersign, the
   * member's error end for each target sits above the decision, right of its rejection.
   */
  returnsTo(plane: Plane, step: RuntimeStep, decision: BpmnElement, d: Box, y: number, countersign: boolean): void {
    (step.returnTo ?? []).forEach((target, i) => {
      const upperRight = { x: cx(d) + GATEWAY / 4, y: y - GATEWAY / 4 };
      if (countersign) {
        const end = this.opt(`EndEvent_${step.id}_return_${target}`);
        const member = end ? undefined : this.opt(`Gateway_${target}_enter`);
        // 依次审批: a return to an earlier member loops inside the sub-process, drawn once its row is laid out (inTurn).
        if (member) this.memberLoops.push({ flow: this.flow({ el: decision, tag: `return_${target}` }, member), from: () => [{ x: cx(d) + GATEWAY / 4, y: d.y + GATEWAY / 4 }, { x: cx(d) + 60 + i * 12, y: d.y + GATEWAY / 4 }], to: member });
        if (!end) return;
        const e = plane.place(end, cx(d) + 60 + i * 70 - EVENT / 2, y + REJECT_ROW - EVENT / 2, EVENT, EVENT);
        plane.edge(this.flow({ el: decision, tag: `return_${target}` }, end), [upperRight, { x: cx(e), y: upperRight.y }, bottom(e)]);
        return;
      }
      const enter = this.opt(`Gateway_${target}_enter`);
      if (!enter) return;
      // Right of the rejection label's spot beside the flow up to its end, left of the next block.
      const side = cx(d) + 60 + i * 12;
      this.loops.push({ flow: this.flow({ el: decision, tag: `return_${target}` }, enter), from: () => [{ x: cx(d) + GATEWAY / 4, y: d.y + GATEWAY / 4 }, { x: side, y: d.y + GATEWAY / 4 }], to: enter });
    });
  }

  /** The return loops, each on its own lane above everything drawn on the main plane. */
  returnLoops(plane: Plane, loops = this.loops): void {
    if (!loops.length) return;
    const { minY } = plane.extent([0, 0]);
    loops.forEach(({ flow, from, to }, i) => {
      const lane = minY - 40 - i * 30;
      const start = from();
      const last = start[start.length - 1];
      const t = plane.of(to);
      plane.edge(flow, [...start, { x: last.x, y: lane }, { x: cx(t), y: lane }, top(t)]);
    });
  }

  /**
   * Countersign variants: an n-of-m member's rejection counts a vote above its decision (the check, the
   * end that rejects the countersign to its right, the end that only counts above it).
   */
  voteOnReject(plane: Plane, step: RuntimeStep, decision: BpmnElement, d: Box, rejects: BpmnElement, rejected: BpmnElement, y: number): void {
    const g = plane.place(rejects, d.x, y + REJECT_ROW - GATEWAY / 2, GATEWAY, GATEWAY);
    plane.edge(this.flow({ el: decision, tag: 'reject' }, rejects), [top(d), bottom(g)]);
    const e = plane.place(rejected, g.x + GATEWAY + GATEWAY_GAP, y + REJECT_ROW - EVENT / 2, EVENT, EVENT);
    this.connect(plane, { el: rejects, tag: 'failed' }, rejected);
    const counted = this.get(`EndEvent_${step.id}_vote_reject`);
    const c = plane.place(counted, cx(g) - EVENT / 2, y + REJECT_ROW - 110 - EVENT / 2, EVENT, EVENT);
    plane.edge(this.flow({ el: rejects, tag: 'open' }, counted), [top(g), bottom(c)]);
    void e;
  }

  /** A countersign member with `when`: its gateway on the row before the step, the skip hanging below. */
  memberWhen(plane: Plane, step: RuntimeStep, x: number, countersign: boolean): { gateway?: BpmnElement; block: Block } {
    const gateway = this.opt(`Gateway_${step.id}_when`);
    if (!gateway) return { block: this.step(plane, step, x, 0, countersign) };
    const g = plane.place(gateway, x, -GATEWAY / 2, GATEWAY, GATEWAY);
    const block = this.step(plane, step, x + GATEWAY + this.gapAfter({ el: gateway, tag: 'when' }), 0, countersign);
    this.connect(plane, { el: gateway, tag: 'when' }, block.first!);
    const skipped = this.opt(`EndEvent_${step.id}_skipped`);
    if (skipped) {
      const e = plane.place(skipped, cx(g) - EVENT / 2, HANG - EVENT / 2, EVENT, EVENT);
      plane.edge(this.flow({ el: gateway, tag: 'skip' }, skipped), [bottom(g), top(e)]);
    }
    return { gateway, block: { first: gateway, exit: block.exit, right: block.right } };
  }

  /** A boundary timer on a task's bottom edge, and the end it leads to hanging below it. */
  timer(plane: Plane, event: BpmnElement, host: Box, x: number, y: number): void {
    const b = plane.place(event, x, host.y + host.h - EVENT / 2, EVENT, EVENT);
    const flow = event.get('outgoing')[0] as BpmnElement;
    const end = flow.get('targetRef') as BpmnElement;
    const e = plane.place(end, x, y + HANG - EVENT / 2, EVENT, EVENT);
    plane.edge(flow, [bottom(b), top(e)]);
  }

  /** split → then-path → join on the row; the else-path on a row below, entered and left from below. */
  branch(plane: Plane, branch: RuntimeBranch, x: number, y: number): Block {
    const split = this.get(`Gateway_${branch.id}`);
    const join = this.get(`Gateway_${branch.id}_join`);
    const gate = plane.place(split, x, y - GATEWAY / 2, GATEWAY, GATEWAY);
    const thenMark = plane.mark();
    const thenPath = this.sequence(plane, branch.then, x + GATEWAY + this.gapAfter({ el: split, tag: 'then' }), y);
    const thenExtent = plane.extent(thenMark);
    const thenBottom = Math.max(y + GATEWAY / 2, thenPath.first ? thenExtent.maxY : -Infinity);

    const elseMark = plane.mark();
    const elseX = cx(gate) + Math.max(GAP, Math.min(textWidth('否'), FLOW_LABEL_W) + 40);
    const elsePath = this.sequence(plane, branch.else, elseX, 0);
    let elseY = thenBottom + ROW_GAP;
    if (elsePath.first) {
      const { minY } = plane.extent(elseMark);
      elseY = thenBottom + ROW_GAP - Math.min(minY, -EVENT / 2);
      plane.shift(elseMark, 0, elseY);
    }
    const thenRight = thenPath.exit ? thenPath.right + this.gapAfter(thenPath.exit) : x + GATEWAY + GAP;
    const elseRight = elsePath.exit ? elsePath.right + this.gapAfter(elsePath.exit) : elseX + GAP;
    const j = plane.place(join, Math.max(thenRight, elseRight, thenExtent.maxX + GAP), y - GATEWAY / 2, GATEWAY, GATEWAY);

    if (thenPath.first) {
      this.connect(plane, { el: split, tag: 'then' }, thenPath.first);
      this.connect(plane, thenPath.exit!, join);
    } else {
      plane.edge(this.flow({ el: split, tag: 'then' }, join), [right(gate), left(j)]);
    }
    const up = (from: Pt): Pt[] => [from, { x: cx(j), y: elseY }, bottom(j)];
    if (elsePath.first) {
      const first = plane.of(elsePath.first);
      plane.edge(this.flow({ el: split, tag: 'else' }, elsePath.first), [bottom(gate), { x: cx(gate), y: elseY }, left(first)]);
      plane.edge(this.flow(elsePath.exit!, join), up(right(plane.of(elsePath.exit!.el))));
    } else {
      plane.edge(this.flow({ el: split, tag: 'else' }, join), [bottom(gate), ...up({ x: cx(gate), y: elseY })]);
    }
    return { first: split, exit: { el: join }, right: j.x + GATEWAY };
  }

  /** enter? → collapsed sub-process with its reject and return boundary events; content in its own plane. */
  parallel(plane: Plane, node: RuntimeParallel, x: number, y: number): Block {
    const enter = this.opt(`Gateway_${node.id}_enter`);
    const sub = this.get(`SubProcess_${node.id}`);
    const rejected = this.opt(`Event_${node.id}_rejected`);
    const returned = this.opt(`Event_${node.id}_returned`);
    const revise = this.opt(`Task_${node.id}_revise`);
    const w = boxWidth(sub.name as string);
    let subX = x;
    let enterBox: Box | undefined;
    if (enter) {
      enterBox = plane.place(enter, x, y - GATEWAY / 2, GATEWAY, GATEWAY);
      const reviseW = revise ? boxWidth(revise.name as string) : 0;
      subX = Math.max(x + GATEWAY + TIMER_GAP, cx(enterBox) + 40 + reviseW + 40 + 22 + EVENT / 2 - w);
    }
    const s = plane.place(sub, subX, y - TASK_H / 2, w, TASK_H);
    if (enter) this.connect(plane, { el: enter }, sub);
    if (rejected) {
      const b = plane.place(rejected, subX + 22 - EVENT / 2, y + TASK_H / 2 - EVENT / 2, EVENT, EVENT);
      const end = this.get(`EndEvent_${node.id}_rejected`);
      const e = plane.place(end, b.x, y + HANG - EVENT / 2, EVENT, EVENT);
      plane.edge(this.flow({ el: rejected }, end), [bottom(b), top(e)]);
    }
    if (returned && revise && enterBox) {
      const b = plane.place(returned, subX + w - 22 - EVENT / 2, y + TASK_H / 2 - EVENT / 2, EVENT, EVENT);
      const reviseW = boxWidth(revise.name as string);
      const r = plane.place(revise, cx(b) - 40 - reviseW, y + RETURN_ROW - TASK_H / 2, reviseW, TASK_H);
      plane.edge(this.flow({ el: returned }, revise), [bottom(b), { x: cx(b), y: y + RETURN_ROW }, right(r)]);
      plane.edge(this.flow({ el: revise }, enter!), [left(r), { x: cx(enterBox), y: y + RETURN_ROW }, bottom(enterBox)]);
    }
    // A member's return to a step before the countersign: a boundary event per target on its top edge.
    [...new Set(node.steps.flatMap((st) => st.returnTo ?? []))].forEach((target, i) => {
      const caught = this.opt(`Event_${node.id}_return_${target}`);
      const enterOf = this.opt(`Gateway_${target}_enter`);
      if (!caught || !enterOf) return;
      const b = plane.place(caught, subX + w / 2 - EVENT / 2 + i * 44, y - TASK_H / 2 - EVENT / 2, EVENT, EVENT);
      this.loops.push({ flow: this.flow({ el: caught, tag: `return_${target}` }, enterOf), from: () => [top(b)], to: enterOf });
    });
    this.subPlanes.set(sub, node.mode === 'sequence' ? this.inTurn(node) : this.countersign(node));
    return { first: enter ?? sub, exit: { el: sub }, right: s.x + w };
  }

  /**
   * Inside a 依次审批: start → each member on one row → end. A member with `when`: its gateway before it, its
   * merge after it, the skip running below everything the member hangs (its ends, its revise loop).
   */
  inTurn(node: RuntimeParallel): Plane {
    const plane = new Plane();
    const start = this.get(`StartEvent_${node.id}`);
    plane.place(start, 0, -EVENT / 2, EVENT, EVENT);
    let exit: Exit = { el: start };
    let at = EVENT;
    for (const step of node.steps) {
      at += this.gapAfter(exit);
      const gateway = this.opt(`Gateway_${step.id}_when`);
      if (!gateway) {
        const block = this.step(plane, step, at, 0, true);
        this.connect(plane, exit, block.first!);
        exit = block.exit!;
        at = block.right;
        continue;
      }
      const g = plane.place(gateway, at, -GATEWAY / 2, GATEWAY, GATEWAY);
      this.connect(plane, exit, gateway);
      const mark = plane.mark();
      const block = this.step(plane, step, g.x + GATEWAY + this.gapAfter({ el: gateway, tag: 'when' }), 0, true);
      this.connect(plane, { el: gateway, tag: 'when' }, block.first!);
      const { maxY } = plane.extent(mark);
      const merge = this.get(`Gateway_${step.id}_merge`);
      const m = plane.place(merge, block.right + this.gapAfter(block.exit!), -GATEWAY / 2, GATEWAY, GATEWAY);
      this.connect(plane, block.exit!, merge);
      const lane = maxY + 50;
      plane.edge(this.flow({ el: gateway, tag: 'skip' }, merge), [bottom(g), { x: cx(g), y: lane }, { x: cx(m), y: lane }, bottom(m)]);
      exit = { el: merge };
      at = m.x + GATEWAY;
    }
    const end = this.get(`EndEvent_${node.id}_approved`);
    plane.place(end, at + this.gapAfter(exit), -EVENT / 2, EVENT, EVENT);
    this.connect(plane, exit, end);
    this.returnLoops(plane, this.memberLoops.splice(0));
    return plane;
  }

  /** Inside a countersign: start → parallel split → one row per step → join → end (或签: an end per row). */
  countersign(node: RuntimeParallel): Plane {
    const plane = new Plane();
    const start = this.get(`StartEvent_${node.id}`);
    const split = this.get(`Gateway_${node.id}_split`);
    const y = 0;
    plane.place(start, 0, y - EVENT / 2, EVENT, EVENT);
    const gate = plane.place(split, EVENT + GAP, y - GATEWAY / 2, GATEWAY, GATEWAY);
    this.connect(plane, { el: start }, split);
    const x = gate.x + GATEWAY + GAP;
    const rows: { block: Block; y: number }[] = [];
    let bottomY = -Infinity;
    for (const step of node.steps) {
      const mark = plane.mark();
      const { block } = this.memberWhen(plane, step, x, true);
      const extent = plane.extent(mark);
      const rowY = rows.length === 0 ? y : bottomY + ROW_GAP - extent.minY;
      plane.shift(mark, 0, rowY);
      bottomY = extent.maxY + rowY;
      rows.push({ block, y: rowY });
    }
    const endX = Math.max(...rows.map((r) => r.block.right + this.gapAfter(r.block.exit!)));
    const fromSplit = (first: BpmnElement, rowY: number) =>
      plane.edge(this.flow({ el: split }, first), rowY === y ? [right(gate), left(plane.of(first))] : [bottom(gate), { x: cx(gate), y: rowY }, left(plane.of(first))]);
    if (countsApprovals(node)) {
      // n of m: each approval checks the count; enough ends the countersign, else the vote is counted.
      node.steps.forEach((step, i) => {
        const { block, y: rowY } = rows[i];
        fromSplit(block.first!, rowY);
        const check = this.get(`Gateway_${step.id}_approvals`);
        const g = plane.place(check, endX, rowY - GATEWAY / 2, GATEWAY, GATEWAY);
        this.connect(plane, block.exit!, check);
        const end = this.get(`EndEvent_${step.id}_approved`);
        plane.place(end, g.x + GATEWAY + GATEWAY_GAP, rowY - EVENT / 2, EVENT, EVENT);
        this.connect(plane, { el: check, tag: 'passed' }, end);
        const counted = this.get(`EndEvent_${step.id}_vote_approve`);
        const c = plane.place(counted, cx(g) - EVENT / 2, rowY + HANG - EVENT / 2, EVENT, EVENT);
        plane.edge(this.flow({ el: check, tag: 'open' }, counted), [bottom(g), top(c)]);
      });
    } else if (node.mode === 'all') {
      const join = this.get(`Gateway_${node.id}_join`);
      const j = plane.place(join, endX, y - GATEWAY / 2, GATEWAY, GATEWAY);
      for (const { block, y: rowY } of rows) {
        fromSplit(block.first!, rowY);
        const from = right(plane.of(block.exit!.el));
        plane.edge(this.flow(block.exit!, join), rowY === y ? [from, left(j)] : [from, { x: cx(j), y: rowY }, bottom(j)]);
      }
      // A member with `when` that does not take part goes straight to the join, below its row.
      node.steps.forEach((step, i) => {
        const gateway = this.opt(`Gateway_${step.id}_when`);
        if (!gateway) return;
        const g = plane.of(gateway);
        // Below the step's hanging end events (overdue, returned) and their labels, so it crosses none of them.
        const lane = rows[i].y + HANG + EVENT + 14;
        plane.edge(this.flow({ el: gateway, tag: 'skip' }, join), [bottom(g), { x: cx(g), y: lane }, { x: cx(j) + GATEWAY / 4, y: lane }, { x: cx(j) + GATEWAY / 4, y: y + GATEWAY / 4 }]);
      });
      const end = this.get(`EndEvent_${node.id}_approved`);
      plane.place(end, j.x + GATEWAY + GAP, y - EVENT / 2, EVENT, EVENT);
      this.connect(plane, { el: join }, end);
    } else {
      node.steps.forEach((step, i) => {
        const { block, y: rowY } = rows[i];
        fromSplit(block.first!, rowY);
        const end = this.get(`EndEvent_${step.id}_approved`);
        plane.place(end, endX, rowY - EVENT / 2, EVENT, EVENT);
        this.connect(plane, block.exit!, end);
      });
    }
    return plane;
  }
}

/** Drop repeated points and points in the middle of a straight run. */
function simplify(pts: Pt[]): Pt[] {
  const out: Pt[] = [];
  for (const p of pts) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const before = out[out.length - 2];
    if (before && last && ((before.x === last.x && last.x === p.x) || (before.y === last.y && last.y === p.y))) out.pop();
    out.push({ ...p });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Labels

/** External labels: 11 px text (bpmn-js's external style), wrapped to the label's width. */
const LINE_H = 15;
const SHAPE_LABEL_W = 110;
const FLOW_LABEL_W = 100;

/** An upper bound of a text's width at 11 px: a CJK character is 1 em, Latin letters and digits less. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    w += code >= 0x2e80 ? 12 : /[A-Z@%]/.test(ch) ? 8.5 : /[\s.,:;'|!()[\]]/.test(ch) ? 4 : 7;
  }
  return Math.ceil(w);
}

/** A task or collapsed sub-process wide enough for its name in at most three lines of 12 px text. */
function boxWidth(name: string): number {
  return Math.max(120, Math.min(240, Math.ceil((textWidth(name) * 13) / 12 / 3 / 10) * 10 + 30));
}

/** The size of a label box: one line as wide as the text, else `max` wide with a spare line. */
function labelSize(text: string, max: number): { w: number; h: number } {
  const tw = textWidth(text);
  if (tw <= max - 4) return { w: tw + 6, h: LINE_H + 2 };
  const lines = Math.ceil(tw / (max - 14)) + 1;
  return { w: max, h: lines * LINE_H };
}

type Side = 'below' | 'above' | 'right' | 'left' | 'belowRight' | 'belowLeft' | 'aboveRight' | 'aboveLeft';
const STEPS = [4, 14, 28, 46, 70, 100, 140];

function shapeCandidates(b: Box, w: number, h: number, sides: Side[]): Box[] {
  const out: Box[] = [];
  const mx = cx(b);
  const my = b.y + b.h / 2;
  for (const d of STEPS) {
    for (const side of sides) {
      const at = (x: number, y: number) => out.push({ x, y, w, h });
      if (side === 'below') at(mx - w / 2, b.y + b.h + d);
      else if (side === 'above') at(mx - w / 2, b.y - d - h);
      else if (side === 'right') at(b.x + b.w + d, my - h / 2);
      else if (side === 'left') at(b.x - d - w, my - h / 2);
      // Corners move away vertically: beside a shape on a row there is seldom room sideways.
      else if (side === 'belowRight') at(b.x + b.w + PAD + 1, b.y + b.h + d - 2);
      else if (side === 'belowLeft') at(b.x - w - PAD - 1, b.y + b.h + d - 2);
      else if (side === 'aboveRight') at(b.x + b.w, b.y - d + 2 - h);
      else at(b.x - w, b.y - d + 2 - h);
    }
  }
  return out;
}

function flowCandidates(pts: Pt[], w: number, h: number): Box[] {
  const out: Box[] = [];
  for (const d of [4, 12, 24, 40]) {
    for (let i = 0; i + 1 < pts.length; i++) {
      const [a, b] = [pts[i], pts[i + 1]];
      if (a.y === b.y) {
        const [x0, x1] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
        const xs = a.x <= b.x ? [x0 + 8, (x0 + x1 - w) / 2, x1 - 8 - w] : [x1 - 8 - w, (x0 + x1 - w) / 2, x0 + 8];
        for (const x of xs) out.push({ x, y: a.y - d - h, w, h }, { x, y: a.y + d, w, h });
      } else {
        const [y0, y1] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
        const ys = a.y <= b.y ? [y0 + 8, (y0 + y1 - h) / 2, y1 - 8 - h] : [y1 - 8 - h, (y0 + y1 - h) / 2, y0 + 8];
        for (const y of ys) out.push({ x: a.x + d, y, w, h }, { x: a.x - d - w, y, w, h });
      }
    }
  }
  return out;
}

const PAD = 3;
function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w + PAD && b.x < a.x + a.w + PAD && a.y < b.y + b.h + PAD && b.y < a.y + a.h + PAD;
}

/** Place every external label of a plane at its first free candidate (else the least crowded one). */
function placeLabels(plane: Plane): void {
  const placed: Box[] = [];
  // Every flow segment's box, made once (as `crosses` makes it) rather than for each candidate tried.
  const segments: { flow: BpmnElement; box: Box }[] = [];
  for (const e of plane.edges) {
    for (let i = 0; i + 1 < e.pts.length; i++) {
      const [p, q] = [e.pts[i], e.pts[i + 1]];
      segments.push({ flow: e.flow, box: { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), w: Math.abs(p.x - q.x), h: Math.abs(p.y - q.y) } });
    }
  }
  /** How many shapes, foreign flow segments and labels a candidate touches; stops at `limit`. */
  const cost = (c: Box, own: BpmnElement, limit: number): number => {
    let n = 0;
    for (const s of plane.shapes) if (s.el !== own && overlaps(c, s.b) && ++n >= limit) return n;
    for (const s of segments) if (s.flow !== own && overlaps(c, s.box) && ++n >= limit) return n;
    for (const l of placed) if (overlaps(c, l) && ++n >= limit) return n;
    return n;
  };
  const choose = (candidates: Box[], own: BpmnElement): Box => {
    for (const c of candidates) if (cost(c, own, 1) === 0) return c;
    // Nowhere free: the least crowded spot (the readability test reports it).
    let best = candidates[0];
    let bestCost = Infinity;
    for (const c of candidates) {
      const n = cost(c, own, bestCost);
      if (n < bestCost) [best, bestCost] = [c, n];
    }
    return best;
  };
  for (const shape of plane.shapes) {
    const name = shape.el.name as string | undefined;
    if (!name || !/Event$|Gateway$/.test(shape.el.$type)) continue;
    const { w, h } = labelSize(name, SHAPE_LABEL_W);
    const sides = sidesFor(shape.el, shape.b, plane);
    shape.label = round(choose(shapeCandidates(shape.b, w, h, sides), shape.el));
    placed.push(shape.label);
  }
  for (const edge of plane.edges) {
    const name = edge.flow.name as string | undefined;
    if (!name) continue;
    const { w, h } = labelSize(name, FLOW_LABEL_W);
    edge.label = round(choose(flowCandidates(edge.pts, w, h), edge.flow));
    placed.push(edge.label);
  }
}

/** Where a label is looked for first: gateways above, events below, boundary events beside their flow. */
function sidesFor(el: BpmnElement, b: Box, plane: Plane): Side[] {
  const preferred = plane.prefer.get(el);
  if (preferred) return preferred;
  if (el.$type === 'bpmn:BoundaryEvent') {
    const host = plane.box.get(el.get('attachedToRef'));
    // bpmn-js draws a collapsed sub-process's drill-down button at its bottom right: keep labels left of it.
    const onLeft = host ? cx(b) < cx(host) || el.get('attachedToRef').$type === 'bpmn:SubProcess' : false;
    return onLeft ? ['belowLeft', 'belowRight', 'left', 'right', 'below'] : ['belowRight', 'belowLeft', 'right', 'left', 'below'];
  }
  if (/Gateway$/.test(el.$type)) return ['above', 'aboveLeft', 'aboveRight', 'belowRight', 'belowLeft', 'below', 'left', 'right'];
  return ['below', 'right', 'left', 'above', 'belowRight', 'belowLeft', 'aboveRight', 'aboveLeft'];
}

function round(b: Box): Box {
  return { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
}

// ---------------------------------------------------------------------------------------------------
// DI

function diagram(model: BpmnFactory, owner: BpmnElement, plane: Plane): BpmnElement {
  placeLabels(plane);
  const bounds = (b: Box) => model.create('dc:Bounds', { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.w), height: Math.round(b.h) });
  const label = (b?: Box) => (b ? { label: model.create('bpmndi:BPMNLabel', { bounds: bounds(b) }) } : {});
  const elements: BpmnElement[] = [];
  for (const { el, b, label: l } of plane.shapes) {
    const attrs: Record<string, unknown> = { id: `${el.id}_di`, bpmnElement: el, bounds: bounds(b), ...label(l) };
    if (el.$type === 'bpmn:ExclusiveGateway') attrs.isMarkerVisible = true;
    if (el.$type === 'bpmn:SubProcess') attrs.isExpanded = false;
    elements.push(model.create('bpmndi:BPMNShape', attrs));
  }
  for (const { flow, pts, label: l } of plane.edges) {
    const waypoint = pts.map((p) => model.create('dc:Point', { x: Math.round(p.x), y: Math.round(p.y) }));
    elements.push(model.create('bpmndi:BPMNEdge', { id: `${flow.id}_di`, bpmnElement: flow, waypoint, ...label(l) }));
  }
  const bpmnPlane = model.create('bpmndi:BPMNPlane', { id: `BPMNPlane_${owner.id}`, bpmnElement: owner, planeElement: elements });
  return model.create('bpmndi:BPMNDiagram', { id: `BPMNDiagram_${owner.id}`, plane: bpmnPlane });
}
