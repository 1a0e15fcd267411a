import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FindingsError, UsageError, didYouMean, excerpt } from '../../errors.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { ANALYZERS } from '../../analyze/analyzers/index.js';
import { ANALYZE_FORMATS, type AnalyzeFormat, formatMessages } from '../../analyze/format.js';
import { readSources } from '../../analyze/io/files.js';
import { type Level, MESSAGES, documentationUrl, levelRank, messageType, parseLevel } from '../../analyze/messages.js';
import { type AnalyzeRunOptions, runAnalyze } from '../../analyze/run.js';
import { type Suppression, SuppressionSyntaxError, parseSuppression, unknownSuppressionCode } from '../../analyze/suppress.js';
import type { Analyzer } from '../../analyze/types.js';
import type { AnalyzeFlags } from '../commands/analyze.js';
import { type CliContext, colorOn, globalOptions, kubeClient } from '../context.js';
import { MESH_VERSION } from '../program.js';

const ISTIO_MINOR = ISTIO_VERSION.split('.').slice(0, 2).join('.');

/** The run's options (src/analyze/run.ts) and what only the printer needs. */
export interface AnalyzeOptions extends AnalyzeRunOptions {
  files: string[];
  output: AnalyzeFormat;
  outputThreshold: Level;
  failureThreshold: Level;
  suppressions: Suppression[];
  analyzers: Analyzer[];
}

/** Turns raw flags into options; every mistake is a UsageError (64) naming the flag. Pure. */
export function validateAnalyzeOptions(files: readonly string[], flags: AnalyzeFlags, argv: readonly string[] = []): AnalyzeOptions {
  const level = (flag: string, v: string): Level => {
    const l = parseLevel(v);
    if (l === undefined) throw new UsageError(`${flag}: "${v}" is not a level (Info, Warning or Error)`);
    return l;
  };
  let useKube: boolean | undefined;
  const paths = [...files];
  if (flags.useKube === undefined) useKube = undefined;
  else if (flags.useKube === true || flags.useKube === 'true') useKube = true;
  else if (flags.useKube === 'false') useKube = false;
  else if (argv.some((a) => a === `--use-kube=${String(flags.useKube)}` || a === `-k=${String(flags.useKube)}`)) {
    // Written as --use-kube=VALUE, the value is the flag's, not a path.
    throw new UsageError(`--use-kube: "${excerpt(String(flags.useKube))}" is not true or false`);
  } else {
    // `-k manifests/`: commander took the path as the flag's optional value; it is a path.
    useKube = true;
    paths.unshift(String(flags.useKube));
  }
  if (!ANALYZE_FORMATS.includes(flags.output as AnalyzeFormat)) {
    throw new UsageError(`--output: "${flags.output}" is not one of ${ANALYZE_FORMATS.join(', ')}${didYouMean(flags.output, ANALYZE_FORMATS)}`);
  }
  if (flags.allNamespaces && flags.namespace !== undefined) throw new UsageError('-A/--all-namespaces and -n/--namespace cannot be used together');
  const names = ANALYZERS.map((a) => a.meta.name);
  const analyzers: Analyzer[] = [];
  for (const n of flags.analyzer ?? []) {
    const a = ANALYZERS.find((x) => x.meta.name === n) ?? ANALYZERS.find((x) => x.meta.name.toLowerCase() === n.toLowerCase());
    if (!a) throw new UsageError(`--analyzer: no analyzer "${n}"${didYouMean(n, names)}; see --list-analyzers`);
    if (!analyzers.includes(a)) analyzers.push(a);
  }
  const suppressions = (flags.suppress ?? []).map((s) => {
    try {
      return parseSuppression(s);
    } catch (err) {
      if (err instanceof SuppressionSyntaxError) throw new UsageError(`--suppress: ${err.message}`);
      throw err;
    }
  });
  return {
    files: paths,
    useKube,
    allNamespaces: flags.allNamespaces === true,
    namespace: flags.namespace,
    istioNamespace: flags.istioNamespace,
    revision: flags.revision ?? '',
    meshConfigFile: flags.meshConfigFile,
    ignoreUnknown: flags.ignoreUnknown === true,
    output: flags.output as AnalyzeFormat,
    outputThreshold: level('--output-threshold', flags.outputThreshold),
    failureThreshold: level('--failure-threshold', flags.failureThreshold),
    suppressions,
    analyzers: analyzers.length > 0 ? analyzers : [...ANALYZERS],
  };
}

export async function analyzeAction(ctx: CliContext, cmd: Command, files: string[], flags: AnalyzeFlags): Promise<void> {
  if (flags.explain !== undefined) {
    ctx.stdout.write(explain(flags.explain));
    return;
  }
  if (flags.listAnalyzers) {
    ctx.stdout.write(listAnalyzers());
    return;
  }
  const options = validateAnalyzeOptions(files, flags, process.argv);
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
    throw new UsageError(`--explain: no message code "${code}"${didYouMean(code.toUpperCase(), MESSAGES.map((m) => m.code))}`);
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
