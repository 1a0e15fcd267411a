// Shared by the analyze parity test (files only) and the live oracle e2e test: run istioctl analyze
// and mesh analyze on the same input, reduce both to comparable findings, and diff them.
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { ANALYZERS } from '../../src/analyze/analyzers/index.js';
import { formatMessages } from '../../src/analyze/format.js';
import { readSources } from '../../src/analyze/io/files.js';
import { KINDS, kindIdOf } from '../../src/analyze/kinds.js';
import { runAnalyze } from '../../src/analyze/run.js';
import type { KubeClient } from '../../src/kube/client.js';
import { parseKubeYaml } from '../../src/model/yaml.js';
import { istioctl } from './oracle.js';

/** One finding as both tools print it in `-o json`, without the documentation link. */
export interface Finding {
  code: string;
  level: string;
  origin: string;
  message: string;
  reference?: string;
}

export const key = (f: Finding): string => `${f.code} ${f.level} (${f.origin}) ${f.message}`;

export interface IstioctlRun {
  findings: Finding[];
  /** Analyzer names istioctl ran (the rest it skipped for want of an input kind). */
  executed: string[];
  stderr: string;
}

/** `istioctl analyze -A -o json` on files (files only) or on a cluster (kubeconfig given). */
export function istioctlAnalyze(files: readonly string[], opts: { kubeconfig?: string; meshConfigFile?: string; extra?: readonly string[] } = {}): IstioctlRun {
  const args = ['analyze', '-A', '-o', 'json', '--log_output_level=analysis:debug', '--log_target=stderr'];
  if (opts.kubeconfig !== undefined) args.push('--kubeconfig', opts.kubeconfig);
  else args.push('--use-kube=false');
  if (opts.meshConfigFile !== undefined) args.push('--meshConfigFile', opts.meshConfigFile);
  args.push(...(opts.extra ?? []), ...files);
  const r = istioctl(args);
  if (r.code !== 0 && r.code !== 79) throw new Error(`istioctl ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  const records = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as (Finding & { documentationUrl?: string })[]);
  const executed = [...r.stderr.matchAll(/Started analyzer "([^"]+)"/g)].map((m) => m[1]!);
  return { findings: records.map(strip), executed, stderr: r.stderr };
}

function strip(f: Finding & { documentationUrl?: string }): Finding {
  const out: Finding = { code: f.code, level: f.level, origin: f.origin, message: f.message };
  if (f.reference !== undefined) out.reference = f.reference;
  return out;
}

/**
 * mesh's analyzers that correspond to the istioctl analyzers that ran: the same names, and
 * schema validation (with the unreachable-rules checks istioctl makes inside it) when any
 * `schema.ValidationAnalyzer.<Kind>` ran.
 */
export function meshAnalyzersFor(executed: readonly string[]): string[] {
  const names = new Set(executed);
  const schema = executed.some((n) => n.startsWith('schema.ValidationAnalyzer.'));
  return ANALYZERS.map((a) => a.meta.name).filter(
    (n) => names.has(n) || (schema && (n === 'schema.ValidationAnalyzer' || n === 'virtualservice.UnreachableRulesAnalyzer')),
  );
}

/** `mesh analyze -A -o json` in-process, through the same runAnalyze the CLI calls. */
export async function meshAnalyze(
  files: readonly string[],
  opts: { analyzers?: readonly string[]; kube?: KubeClient; meshConfigFile?: string } = {},
): Promise<Finding[]> {
  const wanted = opts.analyzers ? ANALYZERS.filter((a) => opts.analyzers!.includes(a.meta.name)) : [...ANALYZERS];
  const result = await runAnalyze(
    {
      files,
      useKube: opts.kube !== undefined,
      allNamespaces: true,
      namespace: undefined,
      istioNamespace: 'istio-system',
      revision: '',
      meshConfigFile: opts.meshConfigFile,
      ignoreUnknown: true,
      suppressions: [],
      analyzers: wanted,
    },
    {
      ...(opts.kube ? { kube: async () => opts.kube! } : {}),
      readSources: (paths) => readSources(paths, process.stdin),
      readFile: (p) => readFile(p, 'utf8'),
      warn: () => {},
    },
  );
  const json = formatMessages(result.messages, 'json', { istioMinor: '1.31' });
  return (JSON.parse(json) as (Finding & { documentationUrl?: string })[]).map(strip);
}

export interface Diff {
  /** istioctl reports, mesh does not. */
  missing: Finding[];
  /** mesh reports, istioctl does not. */
  extra: Finding[];
  /** Same finding, another line. */
  lines: { finding: Finding; istioctl: string; mesh: string }[];
}

export function diffFindings(istio: readonly Finding[], mesh: readonly Finding[]): Diff {
  const count = (fs: readonly Finding[]): Map<string, Finding[]> => {
    const m = new Map<string, Finding[]>();
    for (const f of fs) m.set(key(f), [...(m.get(key(f)) ?? []), f]);
    return m;
  };
  const a = count(istio);
  const b = count(mesh);
  const d: Diff = { missing: [], extra: [], lines: [] };
  for (const [k, fs] of a) {
    const other = b.get(k) ?? [];
    // istioctl de-duplicates on the message, mesh on the message and line: compare as sets.
    if (other.length === 0) d.missing.push(fs[0]!);
    else {
      const refsA = fs
        .map((f) => f.reference ?? '')
        .sort()
        .join(',');
      const refsB = other
        .map((f) => f.reference ?? '')
        .sort()
        .join(',');
      if (refsA !== refsB) d.lines.push({ finding: fs[0]!, istioctl: refsA, mesh: refsB });
    }
  }
  for (const [k, fs] of b) if (!a.has(k)) d.extra.push(fs[0]!);
  return d;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ClusterRole',
  'ClusterRoleBinding',
  'GatewayClass',
]);

/**
 * Gives every namespaced object without a namespace the namespace `default`, so both tools see the
 * same objects: with -A, istioctl leaves such file objects without a namespace (and prints `Kind
 * name`), where mesh and kubectl put them in the default namespace (see docs/analyzers/README.md).
 */
export function withNamespaces(text: string): string {
  return parseKubeYaml(text)
    .filter((d) => !d.error && d.value !== null && typeof d.value === 'object')
    .map((d) => {
      const o = d.value as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown } };
      const kind = typeof o.kind === 'string' ? o.kind : '';
      const id = typeof o.apiVersion === 'string' ? kindIdOf(o.apiVersion, kind) : undefined;
      const namespaced = id !== undefined ? KINDS[id].namespaced : !CLUSTER_SCOPED.has(kind) && !kind.endsWith('List');
      if (namespaced && o.metadata && typeof o.metadata === 'object' && (o.metadata.namespace === undefined || o.metadata.namespace === '')) {
        o.metadata = { ...o.metadata, namespace: 'default' };
      }
      return stringify(o, { version: '1.1', lineWidth: 0 });
    })
    .join('---\n');
}
