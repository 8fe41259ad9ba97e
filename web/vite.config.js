import { defineConfig } from 'vite';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Vite writes into the Go package that embeds the UI. The committed
// PLACEHOLDER keeps `go build` working without a built UI, so the output
// directory is cleaned by hand instead of by Vite (which would remove it).
const outDir = '../internal/web/dist';

function cleanOutDir() {
  return {
    name: 'hostadm-clean-outdir',
    apply: 'build',
    buildStart() {
      for (const f of readdirSync(outDir)) {
        if (f !== 'PLACEHOLDER') rmSync(join(outDir, f), { recursive: true, force: true });
      }
    },
  };
}

export default defineConfig({
  // Preact's JSX through esbuild directly: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [cleanOutDir()],
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2020',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{js,jsx}'],
  },
});
