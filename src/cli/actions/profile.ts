import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Json } from '../../model/install.js';
import { istioOperatorSpec } from '../../model/install-schema.js';
import { renderData, renderTable } from '../../output/format.js';
import { composeSpec, diffTrees, enabledComponents, formatChange, formatPath, parsePath } from '../../render/index.js';
import { getAt } from '../../render/path.js';
import { schemaAt } from '../../render/validate.js';
import type { CliContext } from '../context.js';
import type { ProfileDumpFlags, ProfileListFlags } from '../options/profile.js';
import { builtinProfiles, readRenderInput } from './manifest-input.js';

/** A profile file's leading comment is its description; the first sentence is the summary. */
export function description(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^#\s?/, ''));
  }
  const joined = lines
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\w-]+:\s*/, '')
    .trim();
  const end = joined.search(/\.(\s|$)/);
  return end < 0 ? joined : joined.slice(0, end + 1);
}

export function profileListAction(ctx: CliContext, opts: ProfileListFlags): void {
  const profiles = builtinProfiles();
  const rows = Object.keys(profiles)
    .sort()
    .map((name) => ({
      name,
      components: enabledComponents(composeSpec({ profiles, profile: name }).iop, name),
      description: description(profiles[name]!),
    }));
  if (opts.output === 'json' || opts.output === 'yaml') {
    ctx.stdout.write(renderData(opts.output, rows));
    return;
  }
  ctx.stdout.write(
    renderTable(rows, [
      { header: 'PROFILE', value: (r) => r.name },
      { header: 'COMPONENTS', value: (r) => (r.components.length > 0 ? r.components.join(',') : '-') },
      { header: 'DESCRIPTION', value: (r) => r.description },
    ]),
  );
}

function loadProfile(ctx: CliContext, name: string): Json {
  const profiles = builtinProfiles();
  const profileFiles: Record<string, string> = {};
  if (!Object.hasOwn(profiles, name) && existsSync(resolve(ctx.cwd, name))) profileFiles[name] = readFileSync(resolve(ctx.cwd, name), 'utf8');
  try {
    return composeSpec({ profiles, profile: name, profileFiles }).iop as Json;
  } catch (e) {
    // composeSpec names the flag --profile; here the profile is an argument.
    if (e instanceof UsageError) throw new UsageError(e.message.replace(/^--profile: /, `profile ${name}: `));
    throw e;
  }
}

export async function profileDumpAction(ctx: CliContext, name: string, opts: ProfileDumpFlags): Promise<void> {
  let iop: Json;
  if ((opts.filename ?? []).length > 0 || (opts.set ?? []).length > 0) {
    const input = await readRenderInput(ctx, { profile: name, ...(opts.filename ? { filename: opts.filename } : {}), ...(opts.set ? { set: opts.set } : {}) });
    iop = composeSpec(input).iop as Json;
  } else {
    iop = loadProfile(ctx, name);
  }
  let data: Json | undefined = iop;
  if (opts.configPath !== undefined && opts.configPath !== '') {
    let segments;
    try {
      segments = parsePath(opts.configPath);
    } catch (e) {
      throw new UsageError(`--config-path ${opts.configPath}: ${(e as Error).message}`);
    }
    if (segments[0]?.kind === 'key' && segments[0].key === 'spec') segments = segments.slice(1);
    const lookup = schemaAt(istioOperatorSpec, segments);
    if (!lookup.ok) throw new UsageError(`--config-path ${opts.configPath}: ${lookup.message}`);
    data = getAt(iop, [{ kind: 'key', key: 'spec' }, ...segments]);
    if (data === undefined) {
      throw new UsageError(`--config-path ${opts.configPath}: profile "${name}" does not set spec.${formatPath(segments)}`);
    }
  }
  ctx.stdout.write(renderData(opts.output === 'json' ? 'json' : 'yaml', data));
}

export function profileDiffAction(ctx: CliContext, a: string, b: string, output = 'text'): void {
  const strip = (iop: Json): Json => {
    const copy = structuredClone(iop) as { spec?: { profile?: string } };
    delete copy.spec?.profile;
    return copy;
  };
  const changes = diffTrees(strip(loadProfile(ctx, a)), strip(loadProfile(ctx, b)));
  if (output === 'json' || output === 'yaml') {
    ctx.stdout.write(renderData(output, { a, b, same: changes.length === 0, changes }));
    if (changes.length > 0) process.exitCode = 1;
    return;
  }
  if (changes.length === 0) {
    ctx.stdout.write(`Profiles "${a}" and "${b}" are the same.\n`);
    return;
  }
  ctx.stdout.write(`Profile "${a}" → "${b}": ${changes.length} field${changes.length === 1 ? '' : 's'} differ\n`);
  for (const c of changes) ctx.stdout.write(`  ${formatChange(c)}\n`);
  process.exitCode = 1;
}
