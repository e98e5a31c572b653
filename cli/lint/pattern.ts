import { createRequire } from 'node:module';
import { PatternError, toRe2Source } from '../../lib/interpret/pattern.ts';

/** What is wrong with a form pattern, if anything. */
export type PatternProblem =
  | { kind: 'unsupported'; detail: string }
  | { kind: 'super-linear'; complexity: 'exponential' | 'polynomial'; attack: string }
  | { kind: 'unproven' };

/**
 * recheck's wall-clock guard for one pattern: it only ends a hostile one. It is wall time, so on a loaded
 * machine a real pattern (≈1 s of CPU when recheck starts cold) can need many times its CPU time: at 5 s a
 * check on a machine running 20 processes reported a plain URL pattern as unproven. 30 s keeps the
 * answer about the pattern, not the machine. (A deterministic bound in place of the clock is still to
 * do: recheck's count limits alone let `^[\s\S]{0,5000}(ab|cd){1,500}$` run for minutes.)
 */
const RECHECK_TIMEOUT_MS = 30_000;

type CheckSync = (source: string, flags: string, params: { timeout?: number }) => {
  status: 'safe' | 'vulnerable' | 'unknown';
  complexity?: { type: string };
  attack?: { string: string; pattern?: string };
};
let recheck: CheckSync | undefined;

/**
 * recheck (makenowjust-labs) decides by automata theory whether a JavaScript regular expression can
 * backtrack super-linearly, and gives the attack string; it is the checker eslint-plugin-redos uses.
 * Loaded on first use (a 6 MB bundle) and run on its pure-JavaScript backend: in this thread, with no
 * worker and no child process, so the result does not depend on what is installed.
 */
function recheckSync(): CheckSync {
  if (!recheck) {
    process.env.RECHECK_SYNC_BACKEND = 'pure';
    recheck = (createRequire(import.meta.url)('recheck') as { checkSync: CheckSync }).checkSync;
  }
  return recheck;
}

const checked = new Map<string, PatternProblem | undefined>();

/**
 * A pattern is safe by construction when RE2 can run it (the hall's validator does) and JavaScript's
 * backtracking engine (the Camunda form's, and any other JSON Schema validator's) runs it in linear time.
 */
export function checkPattern(pattern: string): PatternProblem | undefined {
  if (checked.has(pattern)) return checked.get(pattern);
  const problem = findProblem(pattern);
  checked.set(pattern, problem);
  return problem;
}

function findProblem(pattern: string): PatternProblem | undefined {
  try {
    new RegExp(pattern, 'u');
    toRe2Source(pattern);
  } catch (error) {
    return { kind: 'unsupported', detail: error instanceof PatternError ? error.message : String((error as Error).message).replace(/^Invalid regular expression: /, '') };
  }
  const result = recheckSync()(pattern, 'u', { timeout: RECHECK_TIMEOUT_MS });
  if (result.status === 'safe') return undefined;
  if (result.status === 'vulnerable') {
    const complexity = result.complexity?.type === 'exponential' ? 'exponential' : 'polynomial';
    return { kind: 'super-linear', complexity, attack: (result.attack?.pattern ?? JSON.stringify(result.attack?.string ?? '')).slice(0, 80) };
  }
  return { kind: 'unproven' };
}
