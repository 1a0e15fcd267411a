import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError, excerpt } from '../../errors.js';
import { type RenderResult, render, toYaml } from '../../render/index.js';
import { type ManifestGenerateFlags, type ManifestTarget, validateManifestGenerate } from '../options/manifest.js';
import type { CliContext } from '../context.js';
import { readRenderInput } from './manifest-input.js';
import { OUTPUT_INDEX, indexText, parseIndex, planOutputDir } from '../../render/output-dir.js';

export async function manifestGenerateAction(ctx: CliContext, flags: ManifestGenerateFlags): Promise<void> {
  const { target, deprecation } = validateManifestGenerate(flags);
  if (deprecation !== undefined) ctx.stderr.write(`Note: ${deprecation}\n`);
  const out = target.kind === 'stdout' ? undefined : outputPath(ctx.cwd, target);
  const result = render(await readRenderInput(ctx, flags));
  for (const w of result.warnings) ctx.stderr.write(`Warning: ${w}\n`);
  if (out === undefined) {
    ctx.stdout.write(toYaml(result.objects));
    return;
  }
  try {
    if (out.toDir) writeComponentDir(ctx, result, out);
    else {
      writeFileSync(out.path, toYaml(result.objects));
      ctx.stderr.write(`Wrote ${result.objects.length} objects to ${out.shown}\n`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${out.flag}: ${writeProblem(e, out)}`);
  }
}

/** A failed write in words, without the absolute path Node puts in its message. */
function writeProblem(e: unknown, out: OutputPath): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && !out.toDir && !existsSync(dirname(out.path)))
    return `the directory ${dirname(out.shown)} does not exist (a file is written only into an existing directory)`;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a directory';
  return excerpt((e as Error).message, 200);
}

/** Output format names of the other commands: `-o json` on manifest generate is almost surely a slip. */
const FORMAT_NAMES = ['json', 'yaml', 'table', 'text', 'wide'];

interface OutputPath {
  /** Absolute. */
  path: string;
  /** As given, escaped, for messages. */
  shown: string;
  flag: string;
  toDir: boolean;
}

/** Where to write, checked before anything is rendered: a file for --output-file, a directory for --output-dir, -o's guess. */
function outputPath(cwd: string, target: Exclude<ManifestTarget, { kind: 'stdout' }>): OutputPath {
  const path = resolve(cwd, target.path);
  const shown = excerpt(target.path, 200);
  const exists = existsSync(path);
  const isDir = exists && statSync(path).isDirectory();
  const slash = target.path.endsWith('/');
  // Everywhere else -o is a format: `-o json` here would silently write a file named json.
  if (target.kind === 'path' && FORMAT_NAMES.includes(target.path) && !exists) {
    throw new UsageError(
      `${target.flag}: on manifest generate -o names a file or directory to write (the manifests are YAML); to write a file named ${shown}, say --output-file ${shown}`,
    );
  }
  if (target.kind === 'file' && (isDir || slash)) throw new UsageError(`${target.flag}: is a directory; use --output-dir ${shown} for one file per component`);
  if (target.kind === 'dir' && exists && !isDir)
    throw new UsageError(`${target.flag}: is a file, not a directory; use --output-file ${shown} to write one manifest`);
  return { path, shown, flag: target.flag, toDir: target.kind === 'dir' || (target.kind === 'path' && (slash || isDir)) };
}

/** One file per component into DIR, removing what an earlier run wrote there and this one does not (src/render/output-dir.ts). */
function writeComponentDir(ctx: CliContext, result: RenderResult, out: OutputPath): void {
  const target = out.path;
  mkdirSync(target, { recursive: true });
  const files = componentFiles(result);
  const existing = readdirSync(target, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
  const indexPath = join(target, OUTPUT_INDEX);
  const index = existsSync(indexPath) ? parseIndex(readFileSync(indexPath, 'utf8')) : undefined;
  const dir = planOutputDir(
    existing,
    index,
    files.map((f) => f.name),
  );
  if (dir.foreign.length > 0) {
    throw new UsageError(
      `${out.flag}: the directory holds manifests mesh did not write (${dir.foreign.join(', ')}), which kubectl apply -f would apply too; use an empty or new directory`,
    );
  }
  for (const f of dir.remove) unlinkSync(join(target, f));
  for (const f of files) writeFileSync(join(target, f.name), f.text);
  writeFileSync(indexPath, indexText(files.map((f) => f.name)));
  ctx.stderr.write(`Wrote ${files.length} files to ${out.shown}: ${files.map((f) => f.name).join(', ')}\n`);
  if (dir.remove.length > 0)
    ctx.stderr.write(
      `Removed ${dir.remove.length} file${dir.remove.length === 1 ? '' : 's'} an earlier mesh manifest generate wrote there and this one does not: ${dir.remove.join(', ')}\n`,
    );
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
