/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * dockview-core 8.x no longer ships `dist/styles/dockview.css` in its npm
 * package: its UMD bundle injects the stylesheet at run time through a
 * `<style>` element, which a strict CSP (`style-src 'self'`) blocks, and its
 * ESM build carries no styles at all. This plugin lifts the stylesheet out of
 * the installed package at build time and serves it as the CSS module
 * `virtual:dockview.css`, so Vite bundles it into the app's own `.css` asset.
 * It always matches the installed dockview-core version.
 */
function dockviewCss(): Plugin {
  const publicId = 'virtual:dockview.css';
  const resolvedId = '\0virtual:dockview.css';
  return {
    name: 'shopcast:dockview-css',
    enforce: 'pre',
    resolveId(id) {
      return id === publicId ? resolvedId : undefined;
    },
    load(id) {
      if (id !== resolvedId) return undefined;
      return extractDockviewCss();
    },
  };
}

export function extractDockviewCss(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dockview-core/package.json'));
  const bundle = readFileSync(join(pkgDir, 'dist', 'dockview-core.js'), 'utf8');
  const m = bundle.match(
    /cssinject:[^\n]*dockview\.css[^\n]*\n[\s\S]*?\.textContent = ("(?:[^"\\]|\\.)*");/,
  );
  if (!m || !m[1]) {
    throw new Error(
      'shopcast: could not find the stylesheet inside dockview-core/dist/dockview-core.js; ' +
        'the package layout changed: update vite.config.ts',
    );
  }
  const css = JSON.parse(m[1]) as string;
  if (!css.includes('.dockview-theme-dark')) {
    throw new Error('shopcast: the extracted dockview stylesheet has no dark theme');
  }
  return css;
}

export default defineConfig({
  base: './',
  plugins: [dockviewCss()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The modulepreload polyfill would be an inline-free module too, but the
    // webview supports modulepreload natively; keep the output minimal.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
