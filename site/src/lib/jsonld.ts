import { absolute, href, tx } from './model.ts';
import type { Lang, SiteModel, SiteService } from './model.ts';

const KIND_WORDS = { guide: '线下办理', online: '网上办理', link: '业务系统', appointment: '预约' } as const;

/** schema.org GovernmentService for one service page. Serialize with scriptJson, never raw. */
export function governmentService(m: SiteModel, s: SiteService, lang: Lang): Record<string, unknown> {
  const url = absolute(m, href(lang, s.url));
  const base: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'GovernmentService',
    '@id': absolute(m, s.url),
    url,
    name: tx(s.name, lang),
    description: tx(s.summary, lang),
    inLanguage: lang === 'zh' ? 'zh-CN' : 'en',
    serviceType: KIND_WORDS[s.kind],
    category: s.topics.map((topic) => tx(topic.name, lang)),
    provider: { '@type': 'CollegeOrUniversity', name: tx(m.hall.university, lang), url: m.hall.siteUrl },
    serviceOperator: { '@type': 'Organization', name: tx(s.owner.name, lang), url: absolute(m, href(lang, `/departments/${s.owner.id}/`)) },
    audience: s.audiences.map((a) => ({ '@type': 'Audience', audienceType: tx(a.name, lang) })),
    dateModified: s.reviewed,
  };
  if (s.retired) {
    return { ...base, description: tx(s.retired.reason, lang), ...(s.retired.successor ? { isRelatedTo: { '@type': 'GovernmentService', name: tx(s.retired.successor.name, lang), url: absolute(m, href(lang, s.retired.successor.url)) } } : {}) };
  }
  const g = s.guide!;
  const consultation = g.contacts.consultation;
  const place = g.locations[0];
  const channel: Record<string, unknown> = {
    '@type': 'ServiceChannel',
    name: tx(s.owner.name, lang),
    ...(s.apply ? { serviceUrl: s.apply.url } : {}),
    ...(consultation.phone ? { servicePhone: { '@type': 'ContactPoint', telephone: consultation.phone, ...(consultation.email ? { email: consultation.email } : {}) } } : {}),
    ...(place ? { serviceLocation: { '@type': 'Place', name: tx(place.name ?? place.address, lang), address: [place.campus, place.address, place.room].filter(Boolean).map((x) => tx(x, lang)).join(' ') } } : {}),
    ...(g.timeLimit?.type === 'promised' && g.timeLimit.promised.value > 0 ? { processingTime: `P${g.timeLimit.promised.value}D` } : {}),
    availableLanguage: ['zh-CN'],
  };
  return {
    ...base,
    availableChannel: [channel],
    ...(g.result ? { serviceOutput: { '@type': 'Thing', name: tx(g.result.name, lang) } } : {}),
    ...(g.fees.free ? { offers: { '@type': 'Offer', price: '0', priceCurrency: 'CNY' } } : {}),
  };
}
