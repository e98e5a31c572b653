import type { Service } from '../model/catalog.ts';
import { canonicalJson, sha256 } from './canonical.ts';

/**
 * The parts of a service that change how the runtime behaves: who owns it and where it runs (owner,
 * participants, channels), the form, the workflow (steps, conditions, deadlines, notification texts),
 * and link and appointment settings. Guide text, names, statuses and scenarios are not part of it, so a
 * guide-only edit never produces a new runtime version.
 */
export function runtimeBehaviour(service: Service): Record<string, unknown> {
  return {
    id: service.id,
    type: service.type,
    owner: service.owner,
    participants: service.participants ?? [],
    channels: service.channels ?? [],
    form: service.form,
    workflow: service.workflow,
    link: service.link,
    appointment: service.appointment,
  };
}

/** sha256 of the service's runtime behaviour: equal fingerprints ⇔ same runtime version. */
export function runtimeFingerprint(service: Service): string {
  return sha256(canonicalJson(runtimeBehaviour(service)));
}
