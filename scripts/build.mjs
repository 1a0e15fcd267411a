// Bundles the CLI into dist/ with esbuild: dist/mesh.cjs, the whole CLI as one CommonJS script, and
// dist/cli.js (src/cli/boot.ts), which runs it with a V8 code cache. Commands are loaded with
// import(), which esbuild turns into functions run on first use, so `mesh --help` and
// `mesh --version` do not evaluate a command's code (or @kubernetes/client-node).
//
// The Istio schema validators are compiled ahead of time: the codegen module
// (src/model/istio/validators-codegen.ts) is bundled on its own and run here, and its output, plain
// validate functions from the same schemas and ajv options, takes the place of
// src/model/istio/validators.ts (which compiles them at run time) in the CLI bundle.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const genDir = fileURLToPath(new URL('../dist/.generated/', import.meta.url));
mkdirSync(genDir, { recursive: true });
await build({
  entryPoints: ['src/model/istio/validators-codegen.ts'],
  outfile: `${genDir}codegen.mjs`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const { precompiledValidatorsModule } = await import(pathToFileURL(`${genDir}codegen.mjs`).href);
const validatorsFile = `${genDir}istio-validators.mjs`;
writeFileSync(validatorsFile, precompiledValidatorsModule(fileURLToPath(new URL('../src/model/istio/formats.ts', import.meta.url))));
/** Resolves src/model/istio/validate.ts's import of ./validators.js to the precompiled module. */
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(b) {
    b.onResolve({ filter: /^\.\/validators\.js$/ }, (args) =>
      /[\\/]src[\\/]model[\\/]istio[\\/]validate\.ts$/.test(args.importer) ? { path: validatorsFile } : undefined,
    );
  },
};

/**
 * Lets esbuild drop what mesh does not use of @kubernetes/client-node: mesh takes only KubeConfig
 * from it (kubeconfig loading and credentials), but the package does not declare itself free of
 * side effects, so the whole generated API client (about 700 KB) would be bundled and evaluated on
 * every command that talks to a cluster. Its modules only define classes and functions.
 */
const clientNodeWithoutSideEffects = {
  name: 'client-node-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      if (!/client-node/.test(args.importer) && !/^@kubernetes\/client-node$/.test(args.path)) return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { resolving: true } });
      if (r.errors.length > 0) return undefined;
      return /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/.test(r.path) ? { ...r, sideEffects: false } : r;
    });
  },
};

/**
 * undici's cookie helpers (which mesh does not use) read globalThis.Headers when undici is loaded, and
 * that getter loads Node's own built-in copy of undici: about 15 ms of every cluster command's start.
 * Their brand check then knows undici's Headers only. The build fails if the line is not found (a new
 * undici), so this is looked at again rather than silently lost.
 */
const undiciWithoutGlobalHeaders = {
  name: 'undici-cookies-without-global-headers',
  setup(b) {
    b.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]web[\\/]cookies[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const line = 'webidl.brandCheckMultiple([Headers, globalThis.Headers].filter(Boolean))';
      if (!text.includes(line)) throw new Error(`${args.path}: the globalThis.Headers line changed; update scripts/build.mjs`);
      return { contents: text.replace(line, 'webidl.brandCheckMultiple([Headers])'), loader: 'js' };
    });
  },
};

// The CLI is one CommonJS script, dist/mesh.cjs, which dist/cli.js (src/cli/boot.ts) runs with a V8
// code cache. Commands are still loaded with import(): in one script esbuild makes each a function
// run on first use, so `mesh --version` does not evaluate @kubernetes/client-node.
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/mesh.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __MESH_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__meshModuleUrl' },
  // The file is the function vm.Script compiles (src/cli/boot.ts), so the loader reads it as it is,
  // without a second 6 MB copy of it for the wrapper; 'use strict' first, for the whole bundle.
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) { 'use strict'; var __meshModuleUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  footer: { js: '})' },
  // A bundled module that requires the deprecated core `punycode` gets the userland one (node-fetch did;
  // it is a shim now: scripts/shims/node-fetch.mjs).
  alias: { punycode: 'punycode/', 'node-fetch': fileURLToPath(new URL('./shims/node-fetch.mjs', import.meta.url)) },
  plugins: [precompiledValidators, clientNodeWithoutSideEffects, undiciWithoutGlobalHeaders],
  // Without comments and whitespace the script is 3.7 MB instead of 5.7: every command reads it and
  // V8 checks the code cache against it (about 20 ms less on each run). Names are kept.
  minifyWhitespace: true,
  minifySyntax: true,
  // The bundled packages' license comments go to dist/mesh.cjs.LEGAL.txt (they are not all ASCII).
  legalComments: 'external',
});
// src/cli/boot.ts reads the script as Latin-1, a one-byte string (faster to read and half the memory
// of UTF-16): esbuild escapes non-ASCII in strings, but regular-expression literals keep theirs, so
// the source must spell them as \u escapes. Checked here rather than found as a broken pattern.
{
  const text = readFileSync('dist/mesh.cjs');
  const at = text.findIndex((b) => b > 0x7f);
  if (at >= 0) {
    const line = text.subarray(0, at).toString('latin1').split('\n').length;
    const around = text.subarray(Math.max(0, at - 60), at + 20).toString('utf8');
    throw new Error(`dist/mesh.cjs has a non-ASCII byte at line ${line} (${JSON.stringify(around)}): write it as a \\u escape in the source`);
  }
}
await build({
  entryPoints: { cli: 'src/cli/boot.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
rmSync(genDir, { recursive: true, force: true });
