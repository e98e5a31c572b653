import type { GovernmentService, ServiceChannel, WebPage, WithContext } from 'schema-dts';
import { absolute, href, tx } from './model.ts';
import type { Lang, SiteModel, SiteService } from './model.ts';
import { promisedText, ui } from './i18n.ts';

const KIND_WORDS = { guide: '线下办理', online: '网上办理', link: '业务系统', appointment: '预约' } as const;

/**
 * The page that carries the service: language and dates describe the page, not the service
 * (schema.org's GovernmentService has no inLanguage or dateModified).
 */
function pageOf(m: SiteModel, s: SiteService, lang: Lang): WebPage {
  return {
    '@type': 'WebPage',
    '@id': absolute(m, href(lang, s.url)),
    inLanguage: lang === 'zh' ? 'zh-CN' : 'en',
    lastReviewed: s.reviewed,
    // The newest change from git history; without history only the review date is known.
    ...(s.history[0] ? { dateModified: s.history[0].date } : {}),
  };
}

/**
 * How long the service takes, for its channel. schema.org's processingTime is an ISO 8601 duration
 * of calendar time, so only calendar days become one; work days (工作日, which skip weekends and
 * holidays) are said in words in the channel's description instead of as a wrong `P10D`.
 */
function timeOf(s: SiteService, lang: Lang): Pick<ServiceChannel, 'processingTime' | 'description'> {
  const limit = s.guide?.timeLimit;
  if (!limit) return {};
  const t = ui(lang);
  const words = `${limit.type === 'immediate' ? t.caseType : t.promised}${lang === 'zh' ? '：' : ': '}${promisedText(t, limit)}`;
  if (limit.type === 'promised' && limit.promised.unit === 'day') return { processingTime: `P${limit.promised.value}D`, description: words };
  return { description: words };
}

/** schema.org GovernmentService for one service page. Serialize with scriptJson, never raw. */
export function governmentService(m: SiteModel, s: SiteService, lang: Lang): WithContext<GovernmentService> {
  const base: WithContext<GovernmentService> = {
    '@context': 'https://schema.org',
    '@type': 'GovernmentService',
    '@id': absolute(m, s.url),
    url: absolute(m, href(lang, s.url)),
    mainEntityOfPage: pageOf(m, s, lang),
    name: tx(s.name, lang),
    description: tx(s.summary, lang),
    serviceType: KIND_WORDS[s.kind],
    category: s.topics.map((topic) => tx(topic.name, lang)),
    provider: { '@type': 'CollegeOrUniversity', name: tx(m.hall.university, lang), url: m.hall.siteUrl },
    serviceOperator: { '@type': 'Organization', name: tx(s.owner.name, lang), url: absolute(m, href(lang, `/departments/${s.owner.id}/`)) },
    audience: s.audiences.map((a) => ({ '@type': 'Audience', audienceType: tx(a.name, lang) })),
  };
  if (s.retired) {
    const successor = s.retired.successor;
    return {
      ...base,
      description: tx(s.retired.reason, lang),
      ...(successor ? { isRelatedTo: { '@type': 'GovernmentService', name: tx(successor.name, lang), url: absolute(m, href(lang, successor.url)) } } : {}),
    };
  }
  const g = s.guide!;
  const consultation = g.contacts.consultation;
  const place = g.locations[0];
  const channel: ServiceChannel = {
    '@type': 'ServiceChannel',
    name: tx(s.owner.name, lang),
    ...(s.apply ? { serviceUrl: s.apply.url } : {}),
    ...(consultation.phone ? { servicePhone: { '@type': 'ContactPoint', telephone: consultation.phone, ...(consultation.email ? { email: consultation.email } : {}) } } : {}),
    ...(place ? { serviceLocation: { '@type': 'Place', name: tx(place.name ?? place.address, lang), address: [place.campus, place.address, place.room].filter(Boolean).map((x) => tx(x, lang)).join(' ') } } : {}),
    ...timeOf(s, lang),
    availableLanguage: ['zh-CN'],
  };
  return {
    ...base,
    availableChannel: [channel],
    ...(g.result ? { serviceOutput: { '@type': 'Thing', name: tx(g.result.name, lang) } } : {}),
    ...(g.fees.free ? { offers: { '@type': 'Offer', price: '0', priceCurrency: 'CNY' } } : {}),
  };
}
