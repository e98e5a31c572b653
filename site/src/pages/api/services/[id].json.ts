import { absolute, model } from '../../../lib/model.ts';
import type { SiteService } from '../../../lib/model.ts';

export function getStaticPaths() {
  return model().services.map((service) => ({ params: { id: service.id }, props: { service } }));
}

/** One service's guide as open data: the same projection the page renders, with absolute links. */
export function GET({ props }: { props: { service: SiteService } }): Response {
  const m = model();
  const { pinyin: _pinyin, sortKey: _sortKey, ...service } = props.service;
  const body = {
    format: 'servicehall-api/v1',
    ...service,
    url: absolute(m, service.url),
    embed: absolute(m, `/embed/${service.id}/`),
    base: m.hall.siteUrl,
  };
  return new Response(`${JSON.stringify(body, null, 2)}\n`, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
