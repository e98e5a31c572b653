import type { Service } from '../model/catalog.ts';
import { textZh } from '../model/catalog.ts';
import { canonicalJson, sha256 } from '../../lib/shared/canonical.ts';

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
    // Absent (undefined, dropped by canonicalJson) for services that declare none: their fingerprints stay.
    privacy: service.privacy,
    // 代理申请: who may apply on someone's behalf changes who the runtime lets submit; absent when undeclared.
    proxy: service.proxy,
  };
}

/** sha256 of the service's runtime behaviour: equal fingerprints ⇔ same behaviour. */
export function runtimeFingerprint(service: Service): string {
  return known.get(service) ?? sha256(canonicalJson(runtimeBehaviour(service)));
}

/**
 * Fingerprints already known for service values just read, by the value object: the build's check cache
 * remembers each service file's fingerprint under the hash of its bytes (the value is a function of
 * them), so a province's unchanged services are not serialized and hashed again. Nothing alters a
 * service value once read (the check cache hands out fresh copies), so the fingerprint stays its own.
 */
const known = new WeakMap<object, string>();

/** Record the fingerprint of a service value just decoded from a cache entry that holds it. */
export function knownFingerprint(value: object, fingerprint: string): void {
  known.set(value, fingerprint);
}

/**
 * The service name a version shows: the title of its form (and so of its Camunda process and forms).
 * It is pinned in the version's bytes, so renaming a service with a form is a new version; a service
 * without a form carries no name in its runtime bytes. Runtime pages show the current name from the
 * manifest, never this one. Kept apart from the fingerprint so that existing fingerprints stay valid.
 */
export function pinnedName(service: Service): string | undefined {
  return service.form ? textZh(service.name) : undefined;
}

/** Whether two states of a service compile to the same runtime version (behaviour and pinned name). */
export function sameRuntimeVersion(a: Service, b: Service): boolean {
  return runtimeFingerprint(a) === runtimeFingerprint(b) && pinnedName(a) === pinnedName(b);
}
