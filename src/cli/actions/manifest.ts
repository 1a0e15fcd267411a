import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { type RenderResult, render, toYaml } from '../../render/index.js';
import type { ManifestGenerateFlags } from '../options/manifest.js';
import type { CliContext } from '../context.js';
import { readRenderInput } from './manifest-input.js';
import { OUTPUT_INDEX, indexText, parseIndex, planOutputDir } from '../../render/output-dir.js';

export async function manifestGenerateAction(ctx: CliContext, opts: ManifestGenerateFlags): Promise<void> {
  const result = render(await readRenderInput(ctx, opts));
  for (const w of result.warnings) ctx.stderr.write(`Warning: ${w}\n`);
  if (opts.output === undefined) {
    ctx.stdout.write(toYaml(result.objects));
    return;
  }
  // Everywhere else -o is a format: `-o json` here would silently write a file named json.
  if (['json', 'yaml', 'table', 'text', 'wide'].includes(opts.output) && !existsSync(resolve(ctx.cwd, opts.output))) {
    throw new UsageError(
      `-o ${opts.output}: on manifest generate -o names a file or directory to write (the manifests are YAML); to write a file named ${opts.output}, say -o ./${opts.output}`,
    );
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
    const existing = readdirSync(target, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
    const indexPath = join(target, OUTPUT_INDEX);
    const index = existsSync(indexPath) ? parseIndex(readFileSync(indexPath, 'utf8')) : undefined;
    const dir = planOutputDir(existing, index, files.map((f) => f.name));
    if (dir.foreign.length > 0) {
      throw new UsageError(
        `-o ${opts.output}: the directory holds manifests mesh did not write (${dir.foreign.join(', ')}), which kubectl apply -f would apply too; use an empty or new directory`,
      );
    }
    for (const f of dir.remove) unlinkSync(join(target, f));
    for (const f of files) writeFileSync(join(target, f.name), f.text);
    writeFileSync(indexPath, indexText(files.map((f) => f.name)));
    ctx.stderr.write(`Wrote ${files.length} files to ${opts.output}: ${files.map((f) => f.name).join(', ')}\n`);
    if (dir.remove.length > 0) ctx.stderr.write(`Removed ${dir.remove.length} file${dir.remove.length === 1 ? '' : 's'} an earlier mesh manifest generate wrote there and this one does not: ${dir.remove.join(', ')}\n`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
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
