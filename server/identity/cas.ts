import { XMLParser } from 'fast-xml-parser';

/** CAS 3.0, what most Chinese 统一身份认证 platforms speak. */
export interface CasOptions {
  /** The CAS server's base, e.g. https://authserver.example.edu.cn/authserver */
  url: string;
  /**
   * Person attributes from the CAS attributes: our name → the CAS attribute's name, e.g.
   * `{ name: cn, college: dwdm, class: bjdm, type: sflb, email: mail }`. The id is always `cas:user`.
   */
  attributes: Record<string, string>;
}

export interface CasIdentity {
  id: string;
  attributes: Record<string, string>;
}

export function casLoginUrl(options: CasOptions, service: string): string {
  return `${options.url.replace(/\/$/, '')}/login?service=${encodeURIComponent(service)}`;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, processEntities: true });

/**
 * Validate a service ticket (`/p3/serviceValidate`) and map the answer's attributes. A failure answer, an
 * answer that is not CAS, or a network error is a refusal with the reason; the ticket is never trusted.
 */
export async function validateTicket(options: CasOptions, service: string, ticket: string): Promise<{ ok: true; identity: CasIdentity } | { ok: false; reason: string }> {
  const url = `${options.url.replace(/\/$/, '')}/p3/serviceValidate?service=${encodeURIComponent(service)}&ticket=${encodeURIComponent(ticket)}`;
  let text: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return { ok: false, reason: `CAS 服务器返回 HTTP ${res.status} / CAS answered HTTP ${res.status}` };
    text = await res.text();
  } catch (error) {
    return { ok: false, reason: `无法连接 CAS 服务器 / cannot reach the CAS server: ${(error as Error).message}` };
  }
  let doc: Record<string, any>;
  try {
    doc = parser.parse(text);
  } catch {
    return { ok: false, reason: 'CAS 的回答不是有效的 XML / the CAS answer is not valid XML' };
  }
  const response = doc.serviceResponse;
  if (response?.authenticationFailure !== undefined) {
    const failure = response.authenticationFailure;
    const code = typeof failure === 'object' ? failure['@code'] : undefined;
    return { ok: false, reason: `CAS 拒绝了票据 / CAS refused the ticket: ${code ?? ''}` };
  }
  const success = response?.authenticationSuccess;
  const user = typeof success?.user === 'string' ? success.user.trim() : '';
  if (!user) return { ok: false, reason: 'CAS 的回答中没有用户 / no user in the CAS answer' };
  const raw = (success.attributes ?? {}) as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [ours, theirs] of Object.entries(options.attributes)) {
    const value = raw[theirs];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first.trim()) attributes[ours] = first.trim();
  }
  return { ok: true, identity: { id: user, attributes } };
}
