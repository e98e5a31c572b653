import { absolute, model } from '../../../lib/model.ts';
import type { SiteService } from '../../../lib/model.ts';

export function getStaticPaths() {
  const m = model();
  return [
    ...m.services.map((service) => ({ params: { id: service.id }, props: { service } })),
    // A service that is campus-only now keeps its record's address, saying only that.
    ...m.campusOnly.map((id) => ({ params: { id }, props: { campusOnly: id } })),
  ];
}

/** One service's guide as open data: the same projection the page renders, with absolute links. */
export function GET({ props }: { props: { service?: SiteService; campusOnly?: string } }): Response {
  const m = model();
  const json = (body: unknown) => new Response(`${JSON.stringify(body, null, 2)}\n`, { headers: { 'content-type': 'application/json; charset=utf-8' } });
  if (!props.service) {
    const path = `/services/${props.campusOnly}/`;
    return json({ format: 'servicehall-api/v1', id: props.campusOnly, visibility: 'campus', url: absolute(m, path), ...(m.hall.campusSiteUrl ? { campusUrl: `${m.hall.campusSiteUrl}${path}` } : {}), base: m.hall.siteUrl });
  }
  // Responsible persons (campus edition only) stay on the page: open data is copied to other websites.
  const { pinyin: _pinyin, sortKey: _sortKey, responsible: _responsible, ...service } = props.service;
  return json({
    format: 'servicehall-api/v1',
    ...service,
    url: absolute(m, service.url),
    embed: absolute(m, `/embed/${service.id}/`),
    base: m.hall.siteUrl,
  });
}
