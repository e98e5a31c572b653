import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { closest } from '../cli/diagnostics/suggest.ts';
import type { CasOptions } from './identity/cas.ts';
import type { OidcOptions } from './identity/oidc.ts';
import type { NotifyChannels } from './notify/deliver.ts';

/** `hall serve --config hall-serve.yaml`: what a university's IT office sets for production. */
export interface ServeConfig {
  /** The hall's public address, e.g. https://ehall.example.edu.cn (identity callbacks, links in messages). */
  url?: string;
  store?: string;
  events?: string;
  /** The attachments folder. */
  files?: string;
  listen?: { host?: string; port?: number };
  identity?: { cas?: CasOptions; oidc?: OidcOptions };
  notify?: NotifyChannels;
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' },
    store: { type: 'string', pattern: '^(sqlite:|postgres(ql)?://)' },
    events: { type: 'string', minLength: 1 },
    files: { type: 'string', minLength: 1 },
    listen: { type: 'object', additionalProperties: false, properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 } } },
    identity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cas: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'attributes'],
          properties: { url: { type: 'string', pattern: '^https?://' }, attributes: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        oidc: {
          type: 'object',
          additionalProperties: false,
          required: ['issuer', 'clientId', 'claims'],
          properties: {
            issuer: { type: 'string', pattern: '^https?://' },
            clientId: { type: 'string', minLength: 1 },
            clientSecret: { type: 'string' },
            scope: { type: 'string' },
            idClaim: { type: 'string' },
            claims: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
    notify: {
      type: 'object',
      additionalProperties: false,
      properties: {
        smtp: { type: 'string', pattern: '^smtps?://' },
        from: { type: 'string' },
        webhooks: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'url', 'for'],
            properties: { kind: { enum: ['wecom', 'dingtalk'] }, url: { type: 'string', pattern: '^https?://' }, secret: { type: 'string' }, for: { type: 'array', items: { type: 'string' }, minItems: 1 } },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv2020({ allErrors: true, verbose: true }).compile<ServeConfig>(SCHEMA);

/** A configuration that cannot be used; `problems` are `file:line:column: message` lines. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`配置文件有错误 / the configuration has problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Read and check the configuration; secrets may come from the environment instead of the file:
 * `HALL_STORE` (e.g. a PostgreSQL URL with its password), `HALL_SMTP` and `HALL_OIDC_SECRET` override the file's values.
 */
export async function readConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ServeConfig> {
  let config: ServeConfig = {};
  if (file) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError([`${file}: 无法读取 / cannot read (${error.code ?? error.message})`]);
    });
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    const where = (offset: number | undefined) => {
      const { line, col } = lines.linePos(offset ?? 0);
      return `${file}:${line}:${col}`;
    };
    if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split('\n')[0]}`));
    const value = doc.toJS() ?? {};
    if (!validate(value)) {
      throw new ConfigError(
        (validate.errors ?? []).map((e) => {
          const path = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
          const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : undefined;
          const parent = doc.getIn(path, true);
          const pair = extra && isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === extra) : undefined;
          const node = (pair?.key ?? parent) as { range?: [number, number, number] } | undefined;
          const field = path.join('.') || '(根 / root)';
          const known = extra ? Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object) : [];
          const suggestion = extra ? closest(extra, known) : undefined;
          const message = extra
            ? `不认识的设置“${extra}”${suggestion ? `，是不是想写“${suggestion}”？` : ''} / unknown setting "${extra}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`
            : `${field}: ${e.message}`;
          return `${where(node?.range?.[0])}: ${message}`;
        }),
      );
    }
    config = value;
  }
  if (env.HALL_STORE) config = { ...config, store: env.HALL_STORE };
  if (env.HALL_OIDC_SECRET && config.identity?.oidc) config = { ...config, identity: { ...config.identity, oidc: { ...config.identity.oidc, clientSecret: env.HALL_OIDC_SECRET } } };
  if (env.HALL_SMTP) config = { ...config, notify: { ...config.notify, smtp: env.HALL_SMTP } };
  return config;
}
