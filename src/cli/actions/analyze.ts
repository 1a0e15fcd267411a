import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FindingsError, UsageError, didYouMean } from '../../errors.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { ANALYZERS } from '../../analyze/analyzers/index.js';
import { ANALYZE_FORMATS, formatMessages } from '../../analyze/format.js';
import { readSources } from '../../analyze/io/files.js';
import { KIND_IDS } from '../../analyze/kinds.js';
import { MESSAGES, documentationUrl, levelRank, messageType } from '../../analyze/messages.js';
import { runAnalyze } from '../../analyze/run.js';
import { unknownSuppressionCode } from '../../analyze/suppress.js';
import { type AnalyzeFlags, validateAnalyzeOptions } from '../options/analyze.js';
import { type CliContext, colorOn, globalOptions, kubeClient } from '../context.js';
import { MESH_VERSION } from '../../version.js';

const ISTIO_MINOR = ISTIO_VERSION.split('.').slice(0, 2).join('.');

export async function analyzeAction(ctx: CliContext, cmd: Command, files: string[], flags: AnalyzeFlags): Promise<void> {
  if (flags.explain !== undefined) {
    ctx.stdout.write(explain(flags.explain));
    return;
  }
  if (flags.listAnalyzers) {
    ctx.stdout.write(listAnalyzers());
    return;
  }
  const options = validateAnalyzeOptions(files, flags, { analyzers: ANALYZERS, formats: ANALYZE_FORMATS, kinds: KIND_IDS }, process.argv);
  const warn = (s: string): void => void ctx.stderr.write(`Warning: ${s}\n`);
  const verbose = globalOptions(cmd).verbose === true;
  for (const s of options.suppressions) if (unknownSuppressionCode(s)) warn(`--suppress "${s.text}": ${s.code} is not a known message code`);

  const result = await runAnalyze(options, {
    kube: () => kubeClient(ctx, cmd),
    readSources: (paths) => readSources(paths, ctx.stdin),
    readFile: (path) => readFile(path, 'utf8'),
    warn,
    ...(verbose ? { verbose: (line: string) => void ctx.stderr.write(`${line}\n`) } : {}),
  });
  for (const s of result.unusedSuppressions) warn(`--suppress "${s}" matched no finding`);

  const shown = result.messages.filter((m) => levelRank(m.level) >= levelRank(options.outputThreshold));
  if (options.output !== 'log' || shown.length > 0) {
    ctx.stdout.write(formatMessages(shown, options.output, { istioMinor: ISTIO_MINOR, color: colorOn(ctx, 'stdout'), toolVersion: MESH_VERSION }));
  }
  if (result.messages.length === 0) {
    ctx.stderr.write(`✔ No validation issues found when analyzing ${result.target}.\n`);
  }
  if (result.messages.some((m) => levelRank(m.level) >= levelRank(options.failureThreshold))) {
    throw new FindingsError(`Analyzers found issues when analyzing ${result.target}.`, {
      details: [`See https://istio.io/v${ISTIO_MINOR}/docs/reference/config/analysis for more information about causes and resolutions.`],
    });
  }
}

/** Kept for callers of the action module; the logic lives in src/analyze/run.ts. */
export { clusterMeshConfig } from '../../analyze/run.js';

export function listAnalyzers(): string {
  return [...ANALYZERS]
    .sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1))
    .map((a) => `* ${a.meta.name}:\n    ${a.meta.description} [${a.meta.codes.join(', ')}]\n`)
    .join('');
}

export function explain(code: string): string {
  const t = messageType(code.toUpperCase());
  if (!t) {
    throw new UsageError(
      `--explain: no message code "${code}"${didYouMean(
        code.toUpperCase(),
        MESSAGES.map((m) => m.code),
      )}`,
    );
  }
  const by = ANALYZERS.filter((a) => a.meta.codes.includes(t.code)).map((a) => a.meta.name);
  return [
    `${t.code} ${t.name} (${t.level})`,
    '',
    t.description,
    '',
    `Message: ${t.template}`,
    `Reported by: ${by.length > 0 ? by.join(', ') : 'no analyzer of mesh yet'}`,
    `Documentation: ${documentationUrl(t.code, ISTIO_MINOR)}`,
    '',
  ].join('\n');
}
