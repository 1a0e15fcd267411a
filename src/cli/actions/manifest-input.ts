/**
 * Reading what render needs from disk and stdin: the built-in profiles, profile files, -f files.
 * Render itself never touches the file system.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { type RenderInput, type SourceText, parseIstioOperator } from '../../render/index.js';
import type { CliContext } from '../context.js';
import type { RenderFlags } from '../options/render.js';
import { isRecord } from '../../util/narrow.js';

/** The `profiles/` folder of the package (found upwards from this module: dist/ or src/cli/actions/). */
export function profilesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'profiles');
    if (existsSync(join(candidate, 'default.yaml'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find the built-in profiles (profiles/default.yaml) next to the mesh package');
}

export function builtinProfiles(): Record<string, string> {
  const dir = profilesDir();
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.yaml')) out[f.slice(0, -5)] = readFileSync(join(dir, f), 'utf8');
  return out;
}

export async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readFlagFile(ctx: CliContext, flag: string, path: string): string {
  try {
    return readFileSync(resolve(ctx.cwd, path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

/** Builds the render input from the render flags: reads -f files (and stdin for `-f -`) and profile files. */
export async function readRenderInput(ctx: CliContext, flags: RenderFlags): Promise<RenderInput> {
  const profiles = builtinProfiles();
  const files: SourceText[] = [];
  const stdinCount = (flags.filename ?? []).filter((f) => f === '-').length;
  if (stdinCount > 1) throw new UsageError('-f -: stdin can be read only once');
  for (const f of flags.filename ?? []) {
    if (f === '-') files.push({ name: '<stdin>', text: await readStdin(ctx) });
    else files.push({ name: f, text: readFlagFile(ctx, '-f', f) });
  }
  // A profile that is not built in is a file path: read it here so render stays pure.
  const profileFiles: Record<string, string> = {};
  const candidates: { flag: string; name: string }[] = [];
  if (flags.profile !== undefined) candidates.push({ flag: '--profile', name: flags.profile });
  for (const s of flags.set ?? []) {
    const m = /^(?:spec\.)?profile=(.*)$/.exec(s);
    if (m?.[1] !== undefined) candidates.push({ flag: `--set ${s}:`, name: m[1] });
  }
  for (const f of files) {
    const spec = parseIstioOperator(f)['spec'];
    const p = isRecord(spec) ? spec['profile'] : undefined;
    if (typeof p === 'string') candidates.push({ flag: `${f.name}: spec.profile`, name: p });
  }
  for (const c of candidates) {
    if (c.name === '')
      throw new UsageError(`${c.flag.replace(/:$/, '')}: the profile name is empty; use one of ${Object.keys(profiles).join(', ')}, or a profile file`);
    if (Object.hasOwn(profiles, c.name) || Object.hasOwn(profileFiles, c.name)) continue;
    if (looksLikePath(c.name) || existsSync(resolve(ctx.cwd, c.name))) profileFiles[c.name] = readFlagFile(ctx, c.flag, c.name);
  }
  return {
    profiles,
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    profileFiles,
    files,
    sets: flags.set ?? [],
    ...(flags.revision !== undefined ? { revision: flags.revision } : {}),
  };
}

const looksLikePath = (s: string): boolean => s.includes('/') || s.endsWith('.yaml') || s.endsWith('.yml');
