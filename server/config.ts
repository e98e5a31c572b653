import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { closest } from '../cli/diagnostics/suggest.ts';
import type { CasOptions } from './identity/cas.ts';
import type { OidcOptions } from './identity/oidc.ts';
import type { NotifyChannels } from './notify/deliver.ts';
import { LOG_LEVELS } from './http/logging.ts';
import type { LogLevel } from './http/logging.ts';
import type { Limit } from './http/rate-limit.ts';

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
  log?: { level?: LogLevel };
  rateLimits?: { login?: Limit; submission?: Limit };
  metrics?: { token?: string };
  trustProxy?: boolean | string | string[];
}

const limit = (zh: string, en: string) => ({
  type: 'object',
  additionalProperties: false,
  required: ['max', 'seconds'],
  description: `${zh} / ${en}`,
  properties: {
    max: { type: 'integer', minimum: 0, maximum: 1_000_000, description: '时间窗内最多请求数；0 表示不限制 / most requests per window; 0 turns the limit off' },
    seconds: { type: 'integer', minimum: 1, maximum: 86_400, description: '时间窗长度（秒）/ window length in seconds' },
  },
});

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
    log: {
      type: 'object',
      additionalProperties: false,
      description: '日志（JSON 行，写到标准输出）/ logs (JSON lines on stdout)',
      properties: { level: { enum: LOG_LEVELS, description: '日志级别，默认 info；环境变量 HALL_LOG_LEVEL 优先 / log level (default info); HALL_LOG_LEVEL overrides' } },
    },
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      description: '频率限制，计数保存在数据库中，多个进程共用 / rate limits, counted in the database and shared by every process',
      properties: {
        login: limit('登录（每个客户端地址）：开发登录、CAS、OIDC，默认 60 秒 30 次', 'sign-in per client address (dev, CAS, OIDC); default 30 per 60 s'),
        submission: limit('提交申请和重新提交（每人），默认 600 秒 20 次', 'submitting and resubmitting, per person; default 20 per 600 s'),
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      description: 'Prometheus 指标 /metrics：不设令牌时只允许本机直接访问 / /metrics: loopback only unless a token is set',
      properties: { token: { type: 'string', minLength: 16, description: '采集时带 Authorization: Bearer <令牌>；也可用环境变量 HALL_METRICS_TOKEN / scrape with this bearer token; or HALL_METRICS_TOKEN' } },
    },
    trustProxy: {
      description: '反向代理的地址（或 true）：从它们的 X-Forwarded-For 得到客户端地址，按地址限制登录频率时需要 / the reverse proxies whose X-Forwarded-For names the client (needed for per-address limits behind a proxy)',
      anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }],
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
 * `HALL_STORE` (e.g. a PostgreSQL URL with its password), `HALL_SMTP`, `HALL_OIDC_SECRET`, `HALL_METRICS_TOKEN` and
 * `HALL_LOG_LEVEL` override the file's values.
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
          const allowed = e.keyword === 'enum' ? ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String) : [];
          const meant = allowed.length ? closest(String(e.data), allowed) : undefined;
          const message = extra
            ? `不认识的设置“${extra}”${suggestion ? `，是不是想写“${suggestion}”？` : ''} / unknown setting "${extra}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`
            : allowed.length
              ? `${field}: 不认识的值“${String(e.data)}”${meant ? `，是不是想写“${meant}”？` : ''}可用：${allowed.join('、')} / unknown value "${String(e.data)}"${meant ? `; did you mean "${meant}"?` : ''} (one of ${allowed.join(', ')})`
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
  if (env.HALL_METRICS_TOKEN) config = { ...config, metrics: { ...config.metrics, token: env.HALL_METRICS_TOKEN } };
  if (env.HALL_LOG_LEVEL) {
    if (!(LOG_LEVELS as readonly string[]).includes(env.HALL_LOG_LEVEL)) {
      const suggestion = closest(env.HALL_LOG_LEVEL, [...LOG_LEVELS]);
      throw new ConfigError([
        `HALL_LOG_LEVEL: 不认识的日志级别“${env.HALL_LOG_LEVEL}”${suggestion ? `，是不是想写“${suggestion}”？` : ''}可用：${LOG_LEVELS.join('、')} / unknown log level "${env.HALL_LOG_LEVEL}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (one of ${LOG_LEVELS.join(', ')})`,
      ]);
    }
    config = { ...config, log: { ...config.log, level: env.HALL_LOG_LEVEL as LogLevel } };
  }
  return config;
}
