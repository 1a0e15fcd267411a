/**
 * One `mesh analyze` run: read the files and the cluster (through `deps`), layer them, resolve the
 * mesh config, run the analyzers and return the findings as data. The CLI action only parses flags,
 * calls `runAnalyze` and prints; this module never touches argv, stdout or exit codes.
 *
 * Errors are typed: a missing path or an unknown namespace is a UsageError (64), a document that
 * does not parse an InputError (65), an unreadable cluster a ClusterError (1).
 */
import { ClusterError, InputError, UsageError, namespaceNotFound } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { parseKubeYamlValue } from '../model/yaml.js';
import type { ReadResult } from './io/files.js';
import { MissingPathError } from './io/files.js';
import { KINDS, type KindId } from './kinds.js';
import { type ParseProblem, parseManifests } from './load.js';
import { type RunResult, runAnalyzers } from './runner.js';
import { type Scoped, hasDiscoverySelectors, scopeResources, scopes } from './scope.js';
import { ResourceStore } from './store.js';
import type { Suppression } from './suppress.js';
import type { Analyzer, Message, Resource } from './types.js';

export interface AnalyzeRunOptions {
  files: readonly string[];
  /** true: the cluster is required; false: files only; undefined: the cluster when a kubeconfig is usable. */
  useKube: boolean | undefined;
  allNamespaces: boolean;
  namespace: string | undefined;
  istioNamespace: string;
  /**
   * `-r`: the control-plane revision. Besides the mesh config it reads (ConfigMap istio-REV), Istio
   * config labelled `istio.io/rev` for another revision is not analysed (src/analyze/scope.ts). ''
   * for no revision: everything is analysed and the mesh config is ConfigMap istio.
   */
  revision: string;
  /** `-l`: only namespaces whose labels match this selector are analysed and reported (implies all namespaces). */
  namespaceSelector?: string;
  /** `-F`: per kind id, the label selector it is listed with from the cluster (istio#45458). Files are not filtered. */
  resourceFilters?: Readonly<Record<string, string>>;
  meshConfigFile: string | undefined;
  ignoreUnknown: boolean;
  suppressions: readonly Suppression[];
  analyzers: readonly Analyzer[];
}

export interface AnalyzeDeps {
  /** Makes the Kubernetes client; throws when no kubeconfig is usable. Called at most once. */
  kube?: () => Promise<KubeClient>;
  /** Reads the files and directories given (src/analyze/io/files.ts readSources, bound to stdin). */
  readSources: (paths: readonly string[]) => Promise<ReadResult>;
  /** Reads one file (for --meshConfigFile). */
  readFile: (path: string) => Promise<string>;
  /** A warning line for stderr (without the "Warning: " prefix). */
  warn: (line: string) => void;
  /** A diagnostic line for stderr, shown only with --verbose. */
  verbose?: (line: string) => void;
}

export interface AnalyzeResult extends Pick<RunResult, 'executed' | 'unusedSuppressions' | 'suppressedCount'> {
  messages: Message[];
  /** What was analysed, for the summary line: `all namespaces` or `namespace: NS`. */
  target: string;
  /** Objects read from files and from the cluster. */
  counts: { files: number; cluster: number };
  /** Whether a cluster was read. */
  usedCluster: boolean;
}

export async function runAnalyze(options: AnalyzeRunOptions, deps: AnalyzeDeps): Promise<AnalyzeResult> {
  // The cluster, when asked for or when a kubeconfig is usable.
  let kube: KubeClient | undefined;
  if (options.useKube !== false && deps.kube) {
    try {
      kube = await deps.kube();
    } catch (err) {
      if (options.useKube === true || err instanceof UsageError) throw err;
      if (options.files.length === 0) {
        throw new UsageError(`nothing to analyze: no files given and no usable kubeconfig (${message(err)})`);
      }
    }
  }
  if (!kube && options.files.length === 0) throw new UsageError('nothing to analyze: give files or directories, or use a cluster (--use-kube)');

  const defaultNamespace = options.namespace ?? kube?.info().namespace ?? 'default';
  const fileResources = options.files.length > 0 ? await readFileResources(options, deps, defaultNamespace) : [];

  // Mesh config: --meshConfigFile, else the cluster's, else defaults.
  let meshConfig: Record<string, unknown> = {};
  if (options.meshConfigFile !== undefined) meshConfig = await readMeshConfigFile(options.meshConfigFile, deps);

  // The cluster snapshot: only the kinds the selected analyzers read.
  let clusterResources: Resource[] = [];
  if (kube) {
    const kinds = [...new Set(options.analyzers.flatMap((a) => a.meta.inputs))] as KindId[];
    const { readCluster } = await import('./io/cluster.js');
    try {
      const [snapshot, mesh, nsExists] = await Promise.all([
        readCluster(kube, kinds, {
          istioNamespace: options.istioNamespace,
          ...(!options.allNamespaces ? { fallbackNamespace: defaultNamespace } : {}),
          ...(options.namespaceSelector !== undefined ? { namespaceSelector: options.namespaceSelector } : {}),
          ...(options.resourceFilters !== undefined ? { labelSelectors: options.resourceFilters } : {}),
        }),
        options.meshConfigFile === undefined ? clusterMeshConfig(kube, options.istioNamespace, options.revision, deps.warn) : Promise.resolve(undefined),
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
        deps.warn(`you may not list every kind cluster-wide (403): ${parts.join('; ')}; findings about references to other namespaces may be missing or wrong`);
      }
      if (mesh !== undefined) meshConfig = mesh;
      if (hasDiscoverySelectors(meshConfig['discoverySelectors']) && !kinds.includes('Namespace') && options.namespaceSelector === undefined) {
        // discoverySelectors scope by namespace labels, which no selected analyzer read: one more list.
        const namespaces = await readCluster(kube, ['Namespace'], { ...(!options.allNamespaces ? { fallbackNamespace: defaultNamespace } : {}) });
        clusterResources = [...clusterResources, ...namespaces.resources];
      }
      if (snapshot.notServed.length > 0) deps.verbose?.(`Kinds not served by the cluster (analysed as empty): ${snapshot.notServed.join(', ')}`);
      if (nsExists === undefined && !fileResources.some((r) => r.namespace === options.namespace)) {
        throw namespaceNotFound(options.namespace ?? '', kube.info().context);
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (options.useKube === true || options.files.length === 0) {
        throw new ClusterError(`cannot read the cluster: ${message(err)}`);
      }
      deps.warn(`cannot read the cluster, analysing files only: ${message(err)}`);
      kube = undefined;
      clusterResources = [];
    }
  }

  if (!kube && options.resourceFilters !== undefined) {
    deps.warn(
      `-F/--resource-filter filters what is listed from a cluster; this run reads files only, so ${Object.keys(options.resourceFilters).join(', ')} objects are not filtered`,
    );
  }
  const namespace = options.allNamespaces ? undefined : (options.namespace ?? (kube ? defaultNamespace : undefined));
  const scopeOptions = {
    revision: options.revision,
    istioNamespace: options.istioNamespace,
    discoverySelectors: meshConfig['discoverySelectors'],
    ...(options.namespaceSelector !== undefined ? { namespaceSelector: options.namespaceSelector } : {}),
  };
  let store: ResourceStore;
  let scoped: Scoped | undefined;
  if (scopes(scopeOptions)) {
    scoped = scopeResources(ResourceStore.of(clusterResources, fileResources).all(), scopeOptions);
    store = ResourceStore.of(scoped.kept);
    reportScoping(scoped, options, deps);
  } else store = ResourceStore.of(clusterResources, fileResources);
  const result = runAnalyzers({
    store,
    analyzers: options.analyzers,
    settings: { istioNamespace: options.istioNamespace, revision: options.revision, meshConfig, ...(kube ? { cluster: true } : {}) },
    ...(namespace !== undefined ? { namespace } : {}),
    ...(scoped?.reportNamespaces !== undefined ? { namespaces: scoped.reportNamespaces } : {}),
    suppressions: options.suppressions,
  });
  deps.verbose?.(`Analyzers run: ${result.executed.join(', ')}`);
  return {
    messages: result.messages,
    executed: result.executed,
    unusedSuppressions: result.unusedSuppressions,
    suppressedCount: result.suppressedCount,
    target:
      options.namespaceSelector !== undefined
        ? `namespaces matching "${options.namespaceSelector}"`
        : namespace === undefined
          ? 'all namespaces'
          : `namespace: ${namespace}`,
    counts: { files: fileResources.length, cluster: clusterResources.length },
    usedCluster: kube !== undefined,
  };
}

/**
 * What scoping dropped: file objects the control plane would not see are a warning (the user gave
 * them to be analysed); cluster objects and -l's narrowing only a --verbose line.
 */
function reportScoping(scoped: Scoped, options: AnalyzeRunOptions, deps: AnalyzeDeps): void {
  const fromFiles = (rs: readonly Resource[]): Resource[] => rs.filter((r) => r.origin.file !== undefined);
  const names = (rs: readonly Resource[]): string => {
    const shown = rs.slice(0, 5).map((r) => `${r.kind} ${r.namespace === '' ? r.name : `${r.namespace}/${r.name}`}`);
    return shown.join(', ') + (rs.length > 5 ? ` and ${rs.length - 5} more` : '');
  };
  const otherRev = fromFiles(scoped.otherRevision);
  if (otherRev.length > 0) {
    deps.warn(
      `not analysed, labelled istio.io/rev for another revision than "${options.revision}" (the control plane of --revision ${options.revision} ignores them): ${names(otherRev)}`,
    );
  }
  const undiscovered = fromFiles(scoped.undiscovered);
  if (undiscovered.length > 0) {
    deps.warn(`not analysed, in a namespace the mesh config's discoverySelectors do not select (the control plane ignores them): ${names(undiscovered)}`);
  }
  const cluster = (rs: readonly Resource[]): number => rs.length - fromFiles(rs).length;
  if (scoped.otherRevision.length > 0)
    deps.verbose?.(`Not analysed (istio.io/rev of another revision): ${cluster(scoped.otherRevision)} cluster objects, ${otherRev.length} from files`);
  if (scoped.undiscoveredNamespaces.length > 0)
    deps.verbose?.(`Namespaces not selected by discoverySelectors (not analysed): ${scoped.undiscoveredNamespaces.join(', ')}`);
  if (scoped.reportNamespaces !== undefined) {
    deps.verbose?.(
      `Namespaces matching -l ${options.namespaceSelector ?? ''}: ${scoped.reportNamespaces.length > 0 ? scoped.reportNamespaces.join(', ') : 'none'}`,
    );
  }
}

async function readFileResources(options: AnalyzeRunOptions, deps: AnalyzeDeps, defaultNamespace: string): Promise<Resource[]> {
  let read;
  try {
    read = await deps.readSources(options.files);
  } catch (err) {
    if (err instanceof MissingPathError) throw new UsageError(err.message);
    throw err;
  }
  for (const n of read.notes) deps.warn(n);
  const resources: Resource[] = [];
  const problems: ParseProblem[] = [];
  for (const s of read.sources) {
    const r = parseManifests(s.text, { file: s.file, defaultNamespace });
    for (const x of r.resources) resources.push(x);
    problems.push(...r.problems);
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    if (!options.ignoreUnknown) {
      throw new InputError(`cannot parse ${lines[0]}`, { details: [...lines.slice(1), 'use --ignore-unknown to skip documents that do not parse'] });
    }
    for (const l of lines) deps.warn(`skipped ${l}`);
  }
  return resources;
}

async function readMeshConfigFile(file: string, deps: AnalyzeDeps): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await deps.readFile(file);
  } catch {
    throw new UsageError(`--meshConfigFile: cannot read ${file}`);
  }
  let v: unknown;
  try {
    v = parseKubeYamlValue(text);
  } catch (err) {
    throw new InputError(`--meshConfigFile: ${file} is not YAML: ${message(err)}`);
  }
  return meshFrom(v) ?? {};
}

/** A MeshConfig, or a ConfigMap holding one under data.mesh. */
export function meshFrom(v: unknown): Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const data = o['data'];
  if (o['kind'] === 'ConfigMap' && data !== null && typeof data === 'object') {
    const mesh = (data as Record<string, unknown>)['mesh'];
    return typeof mesh === 'string' ? meshFrom(parseKubeYamlValue(mesh)) : {};
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
    warn(
      `cannot read the mesh config (ConfigMap ${istioNamespace}/${name}): ${message(err)}; analysing with the default mesh config (--meshConfigFile gives one)`,
    );
    return undefined;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
}
