import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ClusterError, FindingsError, InputError, UsageError, didYouMean } from '../../errors.js';
import type { KubeClient } from '../../kube/client.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { ANALYZERS } from '../../analyze/analyzers/index.js';
import { ANALYZE_FORMATS, type AnalyzeFormat, formatMessages } from '../../analyze/format.js';
import { MissingPathError, readSources } from '../../analyze/io/files.js';
import { KINDS, type KindId } from '../../analyze/kinds.js';
import { type ParseProblem, parseManifests } from '../../analyze/load.js';
import { type Level, MESSAGES, documentationUrl, levelRank, messageType, parseLevel } from '../../analyze/messages.js';
import { runAnalyzers } from '../../analyze/runner.js';
import { ResourceStore } from '../../analyze/store.js';
import { type Suppression, SuppressionSyntaxError, parseSuppression, unknownSuppressionCode } from '../../analyze/suppress.js';
import type { Analyzer, Resource } from '../../analyze/types.js';
import type { AnalyzeFlags } from '../commands/analyze.js';
import { type CliContext, colorOn, globalOptions, kubeClient } from '../context.js';
import { MESH_VERSION } from '../program.js';

const ISTIO_MINOR = ISTIO_VERSION.split('.').slice(0, 2).join('.');

export interface AnalyzeOptions {
  files: string[];
  useKube: boolean | undefined;
  allNamespaces: boolean;
  namespace: string | undefined;
  istioNamespace: string;
  revision: string;
  meshConfigFile: string | undefined;
  ignoreUnknown: boolean;
  output: AnalyzeFormat;
  outputThreshold: Level;
  failureThreshold: Level;
  suppressions: Suppression[];
  analyzers: Analyzer[];
}

/** Turns raw flags into options; every mistake is a UsageError (64) naming the flag. Pure. */
export function validateAnalyzeOptions(files: readonly string[], flags: AnalyzeFlags): AnalyzeOptions {
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
  else {
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
  const options = validateAnalyzeOptions(files, flags);
  const warn = (s: string): void => void ctx.stderr.write(`Warning: ${s}\n`);
  const verbose = globalOptions(cmd).verbose === true;
  for (const s of options.suppressions) if (unknownSuppressionCode(s)) warn(`--suppress "${s.text}": ${s.code} is not a known message code`);

  // The cluster, when asked for or when a kubeconfig is usable.
  let kube: KubeClient | undefined;
  if (options.useKube !== false) {
    try {
      kube = await kubeClient(ctx, cmd);
    } catch (err) {
      if (options.useKube === true || err instanceof UsageError) throw err;
      if (options.files.length === 0) {
        throw new UsageError(`nothing to analyze: no files given and no usable kubeconfig (${err instanceof Error ? err.message : String(err)})`);
      }
    }
  }
  if (!kube && options.files.length === 0) throw new UsageError('nothing to analyze: give files or directories, or use a cluster (--use-kube)');

  const defaultNamespace = options.namespace ?? kube?.info().namespace ?? 'default';

  // Files.
  let fileResources: Resource[] = [];
  if (options.files.length > 0) {
    let read;
    try {
      read = await readSources(options.files, ctx.stdin);
    } catch (err) {
      if (err instanceof MissingPathError) throw new UsageError(err.message);
      throw err;
    }
    for (const n of read.notes) warn(n);
    const problems: ParseProblem[] = [];
    for (const s of read.sources) {
      const r = parseManifests(s.text, { file: s.file, defaultNamespace });
      fileResources = fileResources.concat(r.resources);
      problems.push(...r.problems);
    }
    if (problems.length > 0) {
      const lines = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
      if (!options.ignoreUnknown) {
        throw new InputError(`cannot parse ${lines[0]}`, { details: [...lines.slice(1), 'use --ignore-unknown to skip documents that do not parse'] });
      }
      for (const l of lines) warn(`skipped ${l}`);
    }
  }

  // Mesh config: --meshConfigFile, else the cluster's, else defaults.
  let meshConfig: Record<string, unknown> = {};
  if (options.meshConfigFile !== undefined) meshConfig = await readMeshConfigFile(options.meshConfigFile);

  // The cluster snapshot: only the kinds the selected analyzers read.
  let clusterResources: Resource[] = [];
  if (kube) {
    const kinds = [...new Set(options.analyzers.flatMap((a) => a.meta.inputs))] as KindId[];
    const { readCluster } = await import('../../analyze/io/cluster.js');
    try {
      const [snapshot, mesh, nsExists] = await Promise.all([
        readCluster(kube, kinds, {
          istioNamespace: options.istioNamespace,
          ...(!options.allNamespaces ? { fallbackNamespace: defaultNamespace } : {}),
        }),
        options.meshConfigFile === undefined ? clusterMeshConfig(kube, options.istioNamespace, options.revision, warn) : Promise.resolve(undefined),
        options.namespace !== undefined ? kube.get({ apiVersion: 'v1', kind: 'Namespace', name: options.namespace }) : Promise.resolve(true),
      ]);
      clusterResources = snapshot.resources;
      if (snapshot.restricted.length > 0) {
        const inNs = snapshot.restricted.filter((r) => r.readIn !== undefined).map((r) => KINDS[r.kind].kind);
        const none = snapshot.restricted.filter((r) => r.readIn === undefined).map((r) => KINDS[r.kind].kind);
        const parts = [
          ...(inNs.length > 0 ? [`${inNs.join(', ')} read in namespace ${defaultNamespace} only`] : []),
          ...(none.length > 0 ? [`${none.join(', ')} not read`] : []),
        ];
        warn(`you may not list every kind cluster-wide (403): ${parts.join('; ')}; findings about references to other namespaces may be missing or wrong`);
      }
      if (mesh !== undefined) meshConfig = mesh;
      if (verbose && snapshot.notServed.length > 0) ctx.stderr.write(`Kinds not served by the cluster (analysed as empty): ${snapshot.notServed.join(', ')}\n`);
      if (nsExists === undefined && !fileResources.some((r) => r.namespace === options.namespace)) {
        throw new UsageError(`-n: namespace "${options.namespace}" not found in the cluster (context ${kube.info().context})`);
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (options.useKube === true || options.files.length === 0) {
        throw new ClusterError(`cannot read the cluster: ${err instanceof Error ? err.message : String(err)}`);
      }
      warn(`cannot read the cluster, analysing files only: ${err instanceof Error ? err.message : String(err)}`);
      kube = undefined;
    }
  }

  const namespace = options.allNamespaces ? undefined : (options.namespace ?? (kube ? defaultNamespace : undefined));
  const target = namespace === undefined ? 'all namespaces' : `namespace: ${namespace}`;
  const result = runAnalyzers({
    store: ResourceStore.of(clusterResources, fileResources),
    analyzers: options.analyzers,
    settings: { istioNamespace: options.istioNamespace, revision: options.revision, meshConfig },
    ...(namespace !== undefined ? { namespace } : {}),
    suppressions: options.suppressions,
  });
  if (verbose) ctx.stderr.write(`Analyzers run: ${result.executed.join(', ')}\n`);
  for (const s of result.unusedSuppressions) warn(`--suppress "${s}" matched no finding`);

  const shown = result.messages.filter((m) => levelRank(m.level) >= levelRank(options.outputThreshold));
  if (options.output !== 'log' || shown.length > 0) {
    ctx.stdout.write(formatMessages(shown, options.output, { istioMinor: ISTIO_MINOR, color: colorOn(ctx, 'stdout'), toolVersion: MESH_VERSION }));
  }
  if (result.messages.length === 0) {
    ctx.stderr.write(`✔ No validation issues found when analyzing ${target}.\n`);
  }
  if (result.messages.some((m) => levelRank(m.level) >= levelRank(options.failureThreshold))) {
    throw new FindingsError(`Analyzers found issues when analyzing ${target}.`, {
      details: [`See https://istio.io/v${ISTIO_MINOR}/docs/reference/config/analysis for more information about causes and resolutions.`],
    });
  }
}

async function readMeshConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`--meshConfigFile: cannot read ${file}`);
  }
  let v: unknown;
  try {
    v = parseYaml(text, { version: '1.1' });
  } catch (err) {
    throw new InputError(`--meshConfigFile: ${file} is not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return meshFrom(v) ?? {};
}

/** A MeshConfig, or a ConfigMap holding one under data.mesh. */
function meshFrom(v: unknown): Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const data = o['data'];
  if (o['kind'] === 'ConfigMap' && data !== null && typeof data === 'object') {
    const mesh = (data as Record<string, unknown>)['mesh'];
    return typeof mesh === 'string' ? meshFrom(parseYaml(mesh, { version: '1.1' })) : {};
  }
  return o;
}

/**
 * The cluster's mesh config (ConfigMap istio or istio-REVISION, data.mesh). Missing: undefined, the
 * defaults apply. Unreadable (no permission, not YAML, the API failing): a warning, then the defaults,
 * never silently.
 */
export async function clusterMeshConfig(
  kube: KubeClient,
  istioNamespace: string,
  revision: string,
  warn: (s: string) => void,
): Promise<Record<string, unknown> | undefined> {
  const name = revision === '' || revision === 'default' ? 'istio' : `istio-${revision}`;
  try {
    const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: istioNamespace, name });
    return cm ? meshFrom(cm) : undefined;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    warn(`cannot read the mesh config (ConfigMap ${istioNamespace}/${name}): ${why}; analysing with the default mesh config (--meshConfigFile gives one)`);
    return undefined;
  }
}

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
