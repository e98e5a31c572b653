import type { SystemStep } from '../../generated/types/service.ts';
import { bi } from './describe.ts';
import type { Bi } from './model.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS } from '../compile/compile-system-step.ts';

/** A system step's call in words, for the change notice: which system, what is sent, how often it is retried. */
export function systemCallWords(step: SystemStep): Bi {
  const call = step.system;
  const target = `${call.connector}${call.path ?? ''}`;
  const sent = Object.entries(call.payload).map(([key, expression]) => `${key} = ${expression}`);
  const retries = call.retries ?? DEFAULT_RETRIES;
  const timeout = call.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  return bi(
    `调用 ${target}，发送 ${sent.join('；')}；失败重试 ${retries} 次，每次最多等 ${timeout} 秒`,
    `calls ${target}, sending ${sent.join('; ')}; ${retries} retries, ${timeout} s per call`,
  );
}
