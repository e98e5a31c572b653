#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The `hall` bin. In a clone of the repository it runs cli/hall.ts, whose types Node strips. In a project
// that installed the servicehall package, this file sits under node_modules, where Node refuses to strip
// types and where the CLI's own packages (devDependencies) are not installed: say what the package offers
// instead of failing with a stack trace. Plain JavaScript so that it runs in both places.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (here.split(path.sep).includes('node_modules')) {
  process.stderr.write([
    'hall：命令行工具只在 servicehall 仓库的克隆中运行（npm ci 之后用 npx hall）。安装的 servicehall 包只提供',
    '  servicehall/runtime（加载器）和 servicehall/interpret（参考解释器），用法见仓库的 docs/runtime.md。',
    'hall: the command line runs only in a clone of the servicehall repository (npx hall after npm ci). The installed',
    '  package provides servicehall/runtime (the loader) and servicehall/interpret (the reference interpreter);',
    '  see docs/runtime.md in the repository.',
    '',
  ].join('\n'));
  process.exitCode = 2;
} else {
  await import('./hall.ts');
}
