import path from 'node:path';

/** The toolchain's own folders, wherever the command is run from. */
export const TOOLCHAIN_ROOT = path.resolve(import.meta.dirname, '../..');
export const SCHEMAS_DIR = path.join(TOOLCHAIN_ROOT, 'schemas');
