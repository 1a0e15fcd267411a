/**
 * The CLI's entry (dist/cli.js). It runs the bundle (dist/mesh.cjs, one CommonJS script built from
 * src/cli/main.ts) through vm.Script with a V8 code cache: the second run of a command skips parsing
 * and compiling what the first compiled (on `mesh analyze` of 10,000 objects about 100 ms of 850).
 * Node 22 has module.enableCompileCache for this; Node 20, which mesh supports, has only vm's.
 *
 * One cache file per command (`analyze`, `install`, ...), as each compiles different code, in
 * $XDG_CACHE_HOME/mesh/code-cache (~/.cache/...), named for the Node version and the bundle's size
 * and time, so a new build or Node never reads an old cache (V8 also checks the source and its
 * flags, and rejects a cache that does not fit). It is written once, when the command ends (written
 * to a temporary file and renamed, so a concurrent run reads a whole file or none), and old caches
 * of the command are removed then. MESH_CODE_CACHE=0 turns it off; any error reading or writing it
 * only means running without it.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('./mesh.cjs', import.meta.url));
// ASCII only (scripts/build.mjs checks), so Latin-1: a one-byte string, read without UTF-8 decoding.
const source = readFileSync(bundle, 'latin1');
const cache = cacheLocation();
let cached: Buffer | undefined;
if (cache !== undefined) {
  try {
    cached = readFileSync(cache.file);
  } catch {
    // no cache yet
  }
}
// The bundle is one function expression (its banner and footer): (exports, require, module, __filename, __dirname).
const script = new Script(source, {
  filename: bundle,
  ...(cached !== undefined ? { cachedData: cached } : {}),
});
if (cache !== undefined && (cached === undefined || script.cachedDataRejected === true)) process.once('exit', () => save(cache));
const body = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
const cjsModule = { exports: {} };
body.call(cjsModule.exports, cjsModule.exports, createRequire(bundle), cjsModule, bundle, dirname(bundle));

interface CacheLocation {
  dir: string;
  /** The cache file of this command, this bundle and this Node. */
  file: string;
  /** The start of every cache file name of this command. */
  prefix: string;
}

function cacheLocation(): CacheLocation | undefined {
  if (process.env['MESH_CODE_CACHE'] === '0') return undefined;
  try {
    const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
    const dir = join(base, 'mesh', 'code-cache');
    // The command is the first argument; after a global flag (`--kubeconfig x analyze`) the first
    // word may be a flag's value, so such runs share one cache rather than make one per value.
    const command = process.argv[2];
    const name = command !== undefined && /^[a-z][a-z-]{0,30}$/.test(command) ? command : 'mesh';
    const s = statSync(bundle);
    const prefix = `${name}@`;
    return { dir, prefix, file: join(dir, `${prefix}${process.version}-${process.arch}-${s.size}-${Math.floor(s.mtimeMs)}.bin`) };
  } catch {
    return undefined;
  }
}

function save(c: CacheLocation): void {
  try {
    const data = script.createCachedData();
    mkdirSync(c.dir, { recursive: true });
    const tmp = `${c.file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, c.file);
    // Older caches of the command go, and temporary files a killed run left (a concurrent run's
    // rename then fails, which only means it wrote no cache).
    for (const f of readdirSync(c.dir)) {
      if (f.startsWith(c.prefix) && join(c.dir, f) !== c.file) rmSync(join(c.dir, f), { force: true });
    }
  } catch {
    // a read-only or full disk: the next run compiles again
  }
}
