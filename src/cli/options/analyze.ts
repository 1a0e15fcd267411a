import { type Command, Option } from 'commander';
import { UsageError, didYouMean, excerpt } from '../../errors.js';
import type { AnalyzeFormat } from '../../analyze/format.js';
import { type Level, parseLevel } from '../../analyze/messages.js';
import type { AnalyzeRunOptions } from '../../analyze/run.js';
import { type Suppression, SuppressionSyntaxError, parseSuppression } from '../../analyze/suppress.js';
import type { Analyzer } from '../../analyze/types.js';
import { labelSelectorSyntaxError } from '../../model/label-selector.js';
import { isDns1123Label } from '../../model/names.js';
import { checkNamespaceFlag, collect } from '../flags.js';

export interface AnalyzeFlags {
  useKube?: string | boolean;
  allNamespaces?: boolean;
  namespace?: string;
  istioNamespace: string;
  revision?: string;
  selector?: string;
  resourceFilter?: string[];
  meshConfigFile?: string;
  ignoreUnknown?: boolean;
  output: string;
  outputThreshold: string;
  failureThreshold: string;
  suppress?: string[];
  listAnalyzers?: boolean;
  analyzer?: string[];
  explain?: string;
}

export function addAnalyzeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-k, --use-kube [bool]', 'include the live cluster (default: when a kubeconfig is usable); --use-kube=false for files only'))
    .option('-A, --all-namespaces', 'analyze every namespace')
    .option('-n, --namespace <ns>', 'namespace to analyze; also the namespace of file objects that name none (default: the context namespace)')
    .addOption(new Option('-i, --istio-namespace <ns>', 'control-plane namespace').default('istio-system'))
    .addOption(new Option('--istioNamespace <ns>').hideHelp())
    .option(
      '-r, --revision <rev>',
      'analyze what the control plane of this revision sees: its mesh config (ConfigMap istio-REV), and no Istio config labelled istio.io/rev for another revision',
    )
    .option('-l, --selector <selector>', 'analyze only the namespaces with these labels (e.g. team=payments,env!=dev); implies every matching namespace')
    .option(
      '-F, --resource-filter <filter>',
      'read only the objects of a kind with these labels from the cluster, "KIND SELECTOR" (e.g. -F "Secret owner!=helm"); repeatable',
      collect,
    )
    .option('--meshConfigFile <file>', "mesh config (MeshConfig YAML) to use instead of the cluster's")
    .option('--ignore-unknown', 'skip documents that do not parse instead of failing (exit 65)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['log', 'json', 'yaml', 'sarif']).default('log'))
    .addOption(new Option('--output-threshold <level>', 'lowest level printed (Info|Warning|Error)').default('Info'))
    .addOption(new Option('--failure-threshold <level>', 'lowest level that fails the run with exit 79 (Info|Warning|Error)').default('Error'))
    .option('-S, --suppress <CODE=Kind ns/name>', 'suppress findings; * globs on either side; repeatable', collect)
    .option('-L, --list-analyzers', 'list the analyzers and exit')
    .option('--analyzer <name>', 'run only this analyzer; repeatable', collect)
    .option('--explain <code>', 'explain a message code (e.g. IST0101) and exit');
}

/** The run's options (src/analyze/run.ts) and what only the printer needs. */
export interface AnalyzeOptions extends AnalyzeRunOptions {
  files: string[];
  output: AnalyzeFormat;
  outputThreshold: Level;
  failureThreshold: Level;
  suppressions: Suppression[];
  analyzers: Analyzer[];
}

/**
 * The core's registries that flags are checked against. Passed in by the action rather than imported:
 * commands/analyze.ts loads this file for `mesh --help`, which must not load every analyzer and schema.
 */
export interface AnalyzeCatalog {
  analyzers: readonly Analyzer[];
  formats: readonly AnalyzeFormat[];
  /** The kind ids a cluster read can list (src/analyze/kinds.ts KIND_IDS), for -F. */
  kinds: readonly string[];
}

/** Turns raw flags into options; every mistake is a UsageError (64) naming the flag. Pure. */
export function validateAnalyzeOptions(files: readonly string[], flags: AnalyzeFlags, catalog: AnalyzeCatalog, argv: readonly string[] = []): AnalyzeOptions {
  const { analyzers: ANALYZERS, formats: ANALYZE_FORMATS } = catalog;
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
  checkNamespaceFlag('-n/--namespace', flags.namespace);
  checkNamespaceFlag('-i/--istio-namespace', flags.istioNamespace);
  if (flags.revision !== undefined && flags.revision !== '' && !isDns1123Label(flags.revision)) {
    throw new UsageError(
      `-r/--revision: "${excerpt(flags.revision)}" is not a valid revision name (lowercase letters, digits and '-', e.g. canary, 1-31-1, default)`,
    );
  }
  let namespaceSelector: string | undefined;
  if (flags.selector !== undefined) {
    namespaceSelector = flags.selector.trim();
    if (namespaceSelector === '') throw new UsageError('-l/--selector: empty; give namespace labels to match (e.g. -l team=payments)');
    const why = labelSelectorSyntaxError(namespaceSelector);
    if (why !== undefined) throw new UsageError(`-l/--selector "${excerpt(flags.selector)}": not a label selector: ${why}`);
    if (flags.namespace !== undefined)
      throw new UsageError('-l/--selector and -n/--namespace cannot be used together (-l picks the namespaces by their labels)');
  }
  const resourceFilters = parseResourceFilters(flags.resourceFilter ?? [], catalog.kinds);
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
    allNamespaces: flags.allNamespaces === true || namespaceSelector !== undefined,
    namespace: flags.namespace,
    istioNamespace: flags.istioNamespace,
    revision: flags.revision ?? '',
    ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
    ...(Object.keys(resourceFilters).length > 0 ? { resourceFilters } : {}),
    meshConfigFile: flags.meshConfigFile,
    ignoreUnknown: flags.ignoreUnknown === true,
    output: flags.output as AnalyzeFormat,
    outputThreshold: level('--output-threshold', flags.outputThreshold),
    failureThreshold: level('--failure-threshold', flags.failureThreshold),
    suppressions,
    analyzers: analyzers.length > 0 ? analyzers : [...ANALYZERS],
  };
}

/**
 * `-F "Kind selector"` (istio#45458): the label selector a kind is listed with from the cluster. The kind
 * is a kind id of src/analyze/kinds.ts (any case; `KubernetesGateway` for the Gateway API's); two
 * filters of one kind are both required (joined with a comma, as the API server ANDs them).
 */
export function parseResourceFilters(values: readonly string[], kinds: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const m = /^\s*(\S+)\s+(.*\S)\s*$/.exec(v);
    if (!m) throw new UsageError(`-F/--resource-filter "${excerpt(v)}": give a kind and a label selector, e.g. -F "Secret owner!=helm"`);
    const kind = kinds.find((k) => k === m[1]) ?? kinds.find((k) => k.toLowerCase() === m[1]!.toLowerCase());
    if (kind === undefined) throw new UsageError(`-F/--resource-filter: no kind "${excerpt(m[1]!)}"${didYouMean(m[1]!, kinds)} (one of ${kinds.join(', ')})`);
    const why = labelSelectorSyntaxError(m[2]!);
    if (why !== undefined) throw new UsageError(`-F/--resource-filter "${excerpt(v)}": not a label selector: ${why}`);
    out[kind] = out[kind] !== undefined ? `${out[kind]},${m[2]!}` : m[2]!;
  }
  return out;
}
