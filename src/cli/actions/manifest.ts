import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { type RenderResult, render, toYaml } from '../../render/index.js';
import type { ManifestGenerateFlags } from '../options/manifest.js';
import type { CliContext } from '../context.js';
import { readRenderInput } from './manifest-input.js';

export async function manifestGenerateAction(ctx: CliContext, opts: ManifestGenerateFlags): Promise<void> {
  const result = render(await readRenderInput(ctx, opts));
  for (const w of result.warnings) ctx.stderr.write(`Warning: ${w}\n`);
  if (opts.output === undefined) {
    ctx.stdout.write(toYaml(result.objects));
    return;
  }
  const target = resolve(ctx.cwd, opts.output);
  const isDir = opts.output.endsWith('/') || (existsSync(target) && statSync(target).isDirectory());
  try {
    if (!isDir) {
      writeFileSync(target, toYaml(result.objects));
      ctx.stderr.write(`Wrote ${result.objects.length} objects to ${opts.output}\n`);
      return;
    }
    mkdirSync(target, { recursive: true });
    const files = componentFiles(result);
    for (const f of files) writeFileSync(join(target, f.name), f.text);
    ctx.stderr.write(`Wrote ${files.length} files to ${opts.output}: ${files.map((f) => f.name).join(', ')}\n`);
  } catch (e) {
    throw new UsageError(`-o ${opts.output}: ${(e as Error).message}`);
  }
}

/** One file per component, numbered in install order so `kubectl apply -f DIR` applies them in order. */
export function componentFiles(result: RenderResult): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  if (result.namespaces.length > 0) out.push({ name: '00-namespaces.yaml', text: toYaml(result.namespaces) });
  result.components.forEach((c, i) => {
    out.push({ name: `${String(i + 1).padStart(2, '0')}-${c.component.toLowerCase()}.yaml`, text: toYaml(c.objects) });
  });
  return out;
}
