import { absolute, model } from '../../lib/model.ts';

/** Open data for department websites (seed 002 §10): every published service, retired ones marked. */
export function GET(): Response {
  const m = model();
  const body = {
    format: 'servicehall-api/v1',
    hall: { name: m.hall.name, university: m.hall.university, site: m.hall.siteUrl },
    services: m.services.map((s) => ({
      id: s.id,
      name: s.name,
      kind: s.kind,
      status: s.status,
      owner: s.owner,
      topics: s.topics.map((x) => x.id),
      audiences: s.audiences.map((x) => x.id),
      summary: s.summary,
      reviewed: s.reviewed,
      ...(s.retired ? { retired: { date: s.retired.date, ...(s.retired.successor ? { successor: s.retired.successor.id } : {}) } } : {}),
      url: absolute(m, s.url),
      api: absolute(m, `/api/services/${s.id}.json`),
      embed: absolute(m, `/embed/${s.id}/`),
    })),
  };
  return new Response(`${JSON.stringify(body, null, 2)}\n`, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
