// Bundles the CLI into dist/ with esbuild. Commands are loaded with import(), and
// splitting keeps each command's code (and @kubernetes/client-node) in its own chunk,
// so `mesh --help` and `mesh --version` load only the small entry chunk.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  define: { __MESH_VERSION__: JSON.stringify(pkg.version) },
  // CJS dependencies inside an ESM bundle need a real `require`.
  banner: {
    js: "import { createRequire as __meshCreateRequire } from 'node:module'; const require = __meshCreateRequire(import.meta.url);",
  },
  // node-fetch (via client-node 1.4) requires the deprecated core `punycode`; use the userland one.
  alias: { punycode: 'punycode/' },
});
