// The guide site. `hall site` builds it from a compiled site model (HALL_SITE_MODEL) and passes the
// output folder; run `hall site` or `hall dev` rather than astro directly.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  prefetch: false,
  // No framework, no client islands: every page is plain HTML and CSS (the search page adds one script).
  // Older in-app browsers (WeChat's X5 core, iOS 13–15 WebViews) read what these targets emit.
  vite: { build: { assetsInlineLimit: 0, target: ['chrome80', 'safari13', 'firefox78'], cssTarget: ['chrome80', 'safari13', 'firefox78'] } },
});
