import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import common from '../../schemas/common.schema.json' with { type: 'json' };
import department from '../../schemas/department.schema.json' with { type: 'json' };
import hall from '../../schemas/hall.schema.json' with { type: 'json' };
import roles from '../../schemas/roles.schema.json' with { type: 'json' };
import service from '../../schemas/service.schema.json' with { type: 'json' };

export type DocumentKind = 'Hall' | 'Department' | 'RoleGroups' | 'Service';

export const AUTHORING_SCHEMAS = { common, hall, department, roles, service };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let cached: Record<DocumentKind, ValidateFunction> | undefined;

/** One ajv instance and one compiled validator per kind, built on first use and reused. */
export function validators(): Record<DocumentKind, ValidateFunction> {
  if (cached) return cached;
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });
  addFormats(ajv);
  for (const schema of Object.values(AUTHORING_SCHEMAS)) ajv.addSchema(schema);
  const get = (s: { $id: string }) => ajv.getSchema(s.$id) as ValidateFunction;
  cached = { Hall: get(hall), Department: get(department), RoleGroups: get(roles), Service: get(service) };
  return cached;
}
