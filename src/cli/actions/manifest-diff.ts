import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../../errors.js';
import type { KubeObject } from '../../model/k8s.js';
import { parseKubeYaml } from '../../model/yaml.js';
import { renderData } from '../../output/format.js';
import { diffManifests, formatDiff } from '../../render/index.js';
import type { CliContext } from '../context.js';
import type { ManifestDiffFlags } from '../options/manifest.js';
import { readStdin } from './manifest-input.js';

/** Reads a manifest file (multi-document YAML, `kind: List` flattened) into objects. */
export function parseManifest(name: string, text: string): KubeObject[] {
  const out: KubeObject[] = [];
  parseKubeYaml(text).forEach((doc, i) => {
    if (doc.error) throw new InputError(`${name}:${doc.error.line}: invalid YAML: ${doc.error.message}`);
    const v = doc.value;
    if (v === null || v === undefined) return;
    const objs = isList(v) ? v.items : [v];
    for (const o of objs) {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InputError(`${name}: document ${i + 1} is not a Kubernetes object (a map)`);
      const k = o as Partial<KubeObject>;
      if (typeof k.kind !== 'string' || typeof k.metadata?.name !== 'string') {
        throw new InputError(`${name}: document ${i + 1} has no kind or metadata.name`);
      }
      out.push(k as KubeObject);
    }
  });
  return out;
}

function isList(v: unknown): v is { items: unknown[] } {
  const o = v as { kind?: unknown; items?: unknown };
  return typeof o === 'object' && o !== null && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items);
}

export async function manifestDiffAction(ctx: CliContext, a: string, b: string, opts: ManifestDiffFlags): Promise<void> {
  if (a === '-' && b === '-') throw new UsageError('manifest diff: only one of the two files can be - (stdin)');
  const read = async (p: string): Promise<string> => {
    if (p === '-') return readStdin(ctx);
    try {
      return readFileSync(resolve(ctx.cwd, p), 'utf8');
    } catch (e) {
      throw new UsageError(`manifest diff ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  };
  const diff = diffManifests(parseManifest(a, await read(a)), parseManifest(b, await read(b)), {
    ignore: (opts.ignore ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  });
  if (opts.output === 'json' || opts.output === 'yaml') ctx.stdout.write(renderData(opts.output, diff));
  else ctx.stdout.write(formatDiff(diff, { a, b }));
  // Like diff(1) and kubectl diff: 0 when equal, 1 when they differ.
  if (!diff.same) process.exitCode = 1;
}
