import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { sortDiagnostics } from '../cli/diagnostics/diagnostic.ts';
import type { Diagnostic, Lang } from '../cli/diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../cli/diagnostics/format/index.ts';
import { closest } from '../cli/diagnostics/suggest.ts';
import { readYamlDocument } from '../cli/validate/yaml-document.ts';
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
  /** Where the connectors hall.yaml declares are (issue 15.3): the hall calls nothing else. */
  connectors?: Record<string, { url: string; authorizationEnv?: string; callbackSecretEnv?: string; payUrl?: string }>;
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
    url: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', description: '大厅的对外地址，以 https:// 开头。/ The hall\'s public address, starting with https://.', examples: ['https://ehall.example.edu.cn'] },
    store: { type: 'string', pattern: '^(sqlite:|postgres(ql)?://)', description: '数据库：sqlite:<文件> 或 postgres://用户@主机:端口/库。/ The store: sqlite:<file> or postgres://user@host:port/db.', examples: ['postgres://hall@db.example.edu.cn:5432/hall'] },
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
    connectors: {
      type: 'object',
      description: '系统环节调用的业务系统接口（hall.yaml 的 connectors）：标识 → 地址；认证头的值放在环境变量中，这里只写变量名 / the campus systems system steps call: id → address; the Authorization value lives in the environment variable named here',
      propertyNames: { pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: { type: 'string', pattern: '^https?://[^\\s]+$', description: '接口的基础地址，环节的 path 接在后面 / base address; the step\'s path is appended' },
          authorizationEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$', description: '放 Authorization 头的值的环境变量名，如 HALL_DOOR_TOKEN / the environment variable holding the Authorization header value' },
          callbackSecretEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$', description: '统一支付平台（缴费环节）回调的 HMAC 密钥所在的环境变量名，如 HALL_PAY_SECRET；不设则不接受该接口的回调 / the environment variable holding the payment platform\'s callback HMAC secret (payment steps); without it no callback of this connector is accepted' },
          payUrl: { type: 'string', pattern: '^https://[^\\s]+$', description: '申请人“去缴费”打开的收银台地址，{orderId} 换成订单号，如 https://pay.example.edu.cn/cashier?order={orderId} / the cashier address 去缴费 opens; {orderId} is replaced by the order id' },
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

/**
 * A configuration that cannot be used. `diagnostics` point at file:line:column with the codes `hall check`
 * uses (an unknown setting is `schema/unknown-property`, with the closest setting's name); `render` prints
 * them as `hall check` does.
 */
export class ConfigError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly sources: Map<string, string>;
  constructor(diagnostics: Diagnostic[], sources: Map<string, string>) {
    super(formatDiagnostics('pretty', diagnostics, { lang: 'zh', color: false, sources, filesChecked: 1 }));
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
    this.sources = sources;
  }

  render(lang: Lang): string {
    return formatDiagnostics('pretty', this.diagnostics, { lang, color: false, sources: this.sources, filesChecked: 1 });
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
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError([{ code: 'file/unreadable', severity: 'error', args: { reason: error.code ?? error.message }, file, line: 1, column: 1 }], new Map());
    });
    // An empty file (or one of comments only) sets nothing: every setting has its default.
    if (!/^(\s*#.*\n?)*\s*$/.test(bytes.toString('utf8'))) {
      const { value, parsed, diagnostics } = readYamlDocument(bytes, file, validate);
      if (!value) throw new ConfigError(sortDiagnostics(diagnostics), new Map([[file, parsed.text]]));
      config = value;
    }
  }
  if (env.HALL_STORE) config = { ...config, store: env.HALL_STORE };
  if (env.HALL_OIDC_SECRET && config.identity?.oidc) config = { ...config, identity: { ...config.identity, oidc: { ...config.identity.oidc, clientSecret: env.HALL_OIDC_SECRET } } };
  if (env.HALL_SMTP) config = { ...config, notify: { ...config.notify, smtp: env.HALL_SMTP } };
  if (env.HALL_METRICS_TOKEN) config = { ...config, metrics: { ...config.metrics, token: env.HALL_METRICS_TOKEN } };
  if (env.HALL_LOG_LEVEL) {
    if (!(LOG_LEVELS as readonly string[]).includes(env.HALL_LOG_LEVEL)) {
      // The environment has no file and line: the diagnostic names the variable where a file would be.
      const suggest = closest(env.HALL_LOG_LEVEL, [...LOG_LEVELS]);
      throw new ConfigError(
        [{ code: 'schema/enum', severity: 'error', args: { value: env.HALL_LOG_LEVEL, allowed: LOG_LEVELS.join(', '), ...(suggest ? { suggest } : {}) }, file: 'HALL_LOG_LEVEL', line: 1, column: 1 }],
        new Map(),
      );
    }
    config = { ...config, log: { ...config.log, level: env.HALL_LOG_LEVEL as LogLevel } };
  }
  return config;
}
