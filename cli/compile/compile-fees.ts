import type { Service } from '../model/catalog.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { runtimeText } from './compile-form.ts';

/**
 * The fee items computed from the form (issue 15 item 9), for the runtime: `{ fees }` only when some item
 * gives an amount, so a service without one keeps its compiled definition (and version) unchanged.
 */
export function compileFees(service: Service): { fees?: NonNullable<RuntimeDefinition['fees']> } {
  const items = (service.guide.fees.items ?? []).filter((i) => i.amount);
  if (!items.length) return {};
  return {
    fees: {
      items: items.map((i) => ({
        name: runtimeText(i.name)!,
        ...(i.amount!.rate !== undefined ? { rate: i.amount!.rate } : {}),
        ...(i.amount!.quantity ? { quantity: i.amount!.quantity } : {}),
        ...(i.amount!.tiers ? { tiers: i.amount!.tiers.map((t) => ({ ...(t.upTo !== undefined ? { upTo: t.upTo } : {}), rate: t.rate })) } : {}),
        ...(i.amount!.when ? { when: i.amount!.when } : {}),
      })) as NonNullable<RuntimeDefinition['fees']>['items'],
    },
  };
}
