import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { sortDiagnostics } from '../cli/diagnostics/diagnostic.ts';
import type { Diagnostic, Lang } from '../cli/diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../cli/diagnostics/format/index.ts';
import { readYamlDocument } from '../cli/validate/yaml-document.ts';
import type { CasOptions } from './identity/cas.ts';
import type { OidcOptions } from './identity/oidc.ts';
import type { NotifyChannels } from './notify/deliver.ts';

/** `hall serve --config hall-serve.yaml`: what a university's IT office sets for production. */
export interface ServeConfig {
  /** The hall's public address, e.g. https://ehall.example.edu.cn (identity callbacks, links in messages). */
  url?: string;
  store?: string;
  events?: string;
  listen?: { host?: string; port?: number };
  identity?: { cas?: CasOptions; oidc?: OidcOptions };
  notify?: NotifyChannels;
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', description: '大厅的对外地址，以 https:// 开头。/ The hall\'s public address, starting with https://.', examples: ['https://ehall.example.edu.cn'] },
    store: { type: 'string', pattern: '^(sqlite:|postgres(ql)?://)', description: '数据库：sqlite:<文件> 或 postgres://用户@主机:端口/库。/ The store: sqlite:<file> or postgres://user@host:port/db.', examples: ['postgres://hall@db.example.edu.cn:5432/hall'] },
    events: { type: 'string', minLength: 1 },
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
 * `HALL_STORE` (e.g. a PostgreSQL URL with its password), `HALL_SMTP` and `HALL_OIDC_SECRET` override the file's values.
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
  return config;
}
