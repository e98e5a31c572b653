/**
 * `astro build` for one site model, run as its own process by buildSite: Astro writes scratch files
 * relative to the working directory and sets process-wide state, so each build gets a fresh process
 * whose working directory is the build's scratch folder. Arguments: <site root> <out dir> <log level>.
 * The model's path comes in HALL_SITE_MODEL.
 */
process.env.ASTRO_TELEMETRY_DISABLED = '1';
const [root, outDir, logLevel] = process.argv.slice(2);
const { build } = await import('astro');
await build({
  root,
  outDir,
  cacheDir: `${process.cwd()}/astro-cache`,
  logLevel: (logLevel ?? 'warn') as 'warn',
  vite: { cacheDir: `${process.cwd()}/vite-cache`, logLevel: logLevel === 'silent' ? 'silent' : 'warn' },
});
