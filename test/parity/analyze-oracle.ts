// Shared by the analyze parity test (files only) and the live oracle e2e test: run istioctl analyze
// and mesh analyze on the same input, reduce both to comparable findings, and diff them.
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ANALYZERS } from '../../src/analyze/analyzers/index.js';
import { formatMessages } from '../../src/analyze/format.js';
import { readSources } from '../../src/analyze/io/files.js';
import { KINDS, kindIdOf } from '../../src/analyze/kinds.js';
import { runAnalyze } from '../../src/analyze/run.js';
import type { KubeClient } from '../../src/kube/client.js';
import { parseKubeYaml } from '../../src/model/yaml.js';
import { parseFixtures } from '../../src/analyze/tester.js';
import { istioctl, repoRoot } from './oracle.js';

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
  if (r.code !== 0 && r.code !== 79) {
    // A Go panic's first line says what broke; the debug log before it does not.
    const panic = r.stderr.indexOf('panic: ');
    throw new Error(`istioctl ${args.join(' ')} exited ${r.code}: ${panic >= 0 ? r.stderr.slice(panic, panic + 3000) : r.stderr.slice(-2000)}`);
  }
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

export interface Deviation {
  /** Which side has the finding the other lacks. */
  side: 'istioctl only' | 'mesh only';
  /** Only seen on a live cluster (the files-only test does not expect it). */
  live?: true;
  /** Matched against `CODE Level (Kind ns/name) message`. */
  match: RegExp;
  /** Live runs only: a condition on the objects in view (the case or mesh applied), for differences a text cannot tell. */
  when?: (f: Finding, view: View) => boolean;
  why: string;
}

/** The objects a live comparison applied, to look a finding's object or its namespace up. */
export class View {
  constructor(readonly objects: readonly KubeObjectLike[]) {}
  /** The object a finding is about (`Kind ns/name` or `Kind name`). */
  objectOf(f: Finding): KubeObjectLike | undefined {
    const m = /^(\S+) (?:([^/\s]+)\/)?(\S+)$/.exec(f.origin);
    if (!m) return undefined;
    return this.objects.find((o) => o.kind === m[1] && o.metadata.name === m[3] && (m[2] === undefined || o.metadata.namespace === m[2]));
  }
  labelsOfNamespace(ns: string): Record<string, string> {
    return this.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns)?.metadata.labels ?? {};
  }
  inNamespace(kind: string, ns: string): KubeObjectLike[] {
    return this.objects.filter((o) => o.kind === kind && o.metadata.namespace === ns);
  }
}

export interface KubeObjectLike {
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
}

const namespaceOfOrigin = (f: Finding): string => /^\S+ ([^/\s]+)\//.exec(f.origin)?.[1] ?? '';
/** The labels a policy, Sidecar, EnvoyFilter or Gateway selects workloads by; undefined when it selects by none. */
function selectorLabels(spec: Record<string, unknown>): Record<string, unknown> | undefined {
  const record = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const selector = record(spec['selector']);
  const labels = record(selector?.['matchLabels']) ?? record(record(spec['workloadSelector'])?.['labels']) ?? selector;
  return labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined;
}

const specOf = (o: KubeObjectLike | undefined): Record<string, unknown> =>
  o?.spec !== null && typeof o?.spec === 'object' ? (o.spec as Record<string, unknown>) : {};

/** Deliberate differences, each with its reason (docs/analyzers/parity.md says the same). */
export const DEVIATIONS: readonly Deviation[] = [
  {
    side: 'istioctl only',
    match: /^IST01(01|32) .*gw\.default/,
    why: 'istiod resolves the legacy gateway form name.namespace; istioctl does not and reports the gateway missing',
  },
  {
    side: 'istioctl only',
    match: /^IST01(01|32) .*-istio-autogenerated-k8s-gateway/,
    why: 'mesh reports a reference to a gateway generated from a Kubernetes Gateway as IST0165; istioctl never sees the generated gateway and says it is missing',
  },
  { side: 'mesh only', match: /^IST0165 /, why: 'see the line above: IST0165 instead of IST0101 + IST0132' },
  {
    side: 'istioctl only',
    match: /^IST0109 .*The VirtualServices (\S+),\1 associated/,
    why: 'a VirtualService naming its host twice does not conflict with itself (istio#42561)',
  },
  {
    side: 'istioctl only',
    match: /^IST012[89] .*DestinationRule default\/ext /,
    why: 'no warning when the CA comes with credentialName or verification is explicitly off (insecureSkipVerify: true)',
  },
  {
    side: 'istioctl only',
    match: /^IST0175 /,
    why: 'no warning when RequestAuthentications only carry inline jwks (istiod fetches nothing), or istiod takes its environment from envFrom (out of view)',
  },
  {
    side: 'istioctl only',
    match: /^IST0160 .*\[default waypoint\]/,
    why: 'a Telemetry with targetRefs applies to what it targets, not to the whole namespace',
  },
  { side: 'istioctl only', match: /^IST0153 .*default\/routes/, why: 'istiod applies ADD to HTTP_ROUTE (it adds a route); istioctl flags it' },
  {
    side: 'istioctl only',
    match: /^IST0177 Warning \(ServiceEntry shared\/db-http\) /,
    why: 'a ServiceEntry in several conflicts is reported once, for its first conflict by host and port; istioctl reports one of them, and which one changes from run to run (Go map order)',
  },
  { side: 'mesh only', match: /^IST0177 Warning \(ServiceEntry shared\/db-http\) /, why: 'see the line above' },
  {
    side: 'istioctl only',
    match: /^IST0133 .*(multiple providers is not currently supported|can't unmarshal Any nested proto|deny all traffic to TCP ports)/,
    why: 'istiod validation rules mesh does not reproduce (Telemetry providers, Envoy protos in EnvoyFilter values, DENY rules with only HTTP attributes)',
  },
  {
    side: 'istioctl only',
    match: /^IST0106 .*JWT claim based routing/,
    why: 'istiod validation rule mesh reports as IST0149 with the gateways in view instead',
  },
  {
    side: 'mesh only',
    match: /^IST0106 .*(unknown field|is not a duration|must be an integer|is not served at version)|^IST0133 .*is deprecated: use/,
    why: "the CRD schema (what the API server enforces, and prunes silently): istioctl's file reader drops or coerces such fields",
  },
  { side: 'mesh only', match: /^IST0002 .*rbac\.istio\.io/, why: 'istioctl does not read CustomResourceDefinitions from files' },
  {
    side: 'mesh only',
    match: /^IST0138 /,
    why: 'the credentialName secret is read in the gateway workload namespace, so Gateways in different namespaces on the same workloads share it; istioctl compares within a namespace',
  },
  {
    side: 'mesh only',
    match: /^IST0163 .*was provided in an invalid format/,
    why: 'a webhook url without a scheme is invalid (the API server requires https); istioctl parses it as a path and says nothing',
  },
  {
    side: 'mesh only',
    match: /^IST0101 .*reviews\.backend\.svc\.cluster\.local\+v1/,
    why: "the only DestinationRule defining the subset is not exported to the VirtualService's namespace; istioctl ignores exportTo",
  },
  // Live only (test/e2e/analyze-oracle.e2e.test.ts): istioctl also runs the analyzers that read Kubernetes kinds.
  {
    live: true,
    side: 'istioctl only',
    match: /^IST0107 .*Misplaced annotation/,
    when: (f, v) => 'gateway.istio.io/managed' in (v.objectOf(f)?.metadata.labels ?? {}),
    why: 'objects Istio generates for a Gateway (labelled gateway.istio.io/managed) inherit its annotations; mesh does not call them misplaced',
  },
  {
    live: true,
    side: 'istioctl only',
    match: /^IST0125 .*Invalid annotation proxy\.istio\.io\/config: /,
    why: "istioctl prints Go's YAML/JSON decoder error for a ProxyConfig that does not decode; mesh says what is wrong in its own words",
  },
  { live: true, side: 'mesh only', match: /^IST0125 .*Invalid annotation proxy\.istio\.io\/config: /, why: 'see the line above' },
  {
    live: true,
    side: 'istioctl only',
    match: /^IST0101 .*Referenced namespace not found: "kube-(system|public|node-lease)"/,
    why: 'istioctl leaves the system namespaces out of its view of the cluster, then reports a reference to them as missing; they exist',
  },
  {
    live: true,
    side: 'mesh only',
    match: /^IST01(03|16|37) /,
    when: (f, v) => {
      const labels = v.labelsOfNamespace(namespaceOfOrigin(f));
      return labels['istio.io/rev'] !== undefined && labels['istio-injection'] !== 'enabled';
    },
    why: "a namespace labelled istio.io/rev is injected by that revision, so its pods are in the mesh; istioctl's analyzers count only istio-injection=enabled",
  },
  {
    live: true,
    side: 'istioctl only',
    match: /^IST01(01 .*Referenced selector not found|27 )/,
    when: (f, v) => {
      const spec = specOf(v.objectOf(f));
      if ('targetRefs' in spec || 'targetRef' in spec) return true;
      const selector = selectorLabels(spec);
      if (selector === undefined) return false;
      // A selector in the root namespace selects in every namespace.
      const ns = namespaceOfOrigin(f);
      const entries = ns === 'istio-system' ? v.objects.filter((o) => o.kind === 'WorkloadEntry') : v.inNamespace('WorkloadEntry', ns);
      return entries.some((we) => {
        const labels = (specOf(we)['labels'] ?? {}) as Record<string, unknown>;
        return Object.entries(selector).every(([k, x]) => labels[k] === x);
      });
    },
    why: 'a selector that matches a WorkloadEntry (a VM proxy) selects a workload, and a policy with targetRefs applies to what it targets; istioctl looks at Pods only',
  },
  {
    live: true,
    side: 'istioctl only',
    match: /^IST0162 /,
    when: (f, v) => {
      const gw = v.objectOf(f);
      if (gw !== undefined && !('selector' in specOf(gw))) return true;
      return v.objects.some((o) => o.kind === 'Service' && JSON.stringify(specOf(o)['ports'] ?? []).match(/"targetPort":"/) !== null);
    },
    why: "a Service's named targetPort is resolved through the pods' container ports (istioctl compares the name with port numbers), and a Gateway without a selector is not judged",
  },
];

export function unexplained(istio: readonly Finding[], mesh: readonly Finding[], used: Set<Deviation>, view?: View): string[] {
  const deviation = (side: Deviation['side'], f: Finding): Deviation | undefined =>
    DEVIATIONS.find((d) => d.side === side && d.match.test(key(f)) && (d.when === undefined || (view !== undefined && d.when(f, view))));
  const d = diffFindings(istio, mesh);
  const out: string[] = [];
  for (const f of d.missing) {
    const dev = deviation('istioctl only', f);
    if (dev) used.add(dev);
    else out.push(`istioctl only: ${key(f)}`);
  }
  for (const f of d.extra) {
    const dev = deviation('mesh only', f);
    if (dev) used.add(dev);
    else out.push(`mesh only:     ${key(f)}`);
  }
  return out;
}

/** One case of an analyzer fixture file (src/analyze/analyzers/*.fixtures.yaml), valid and invalid ones alike. */
export interface FixtureCase {
  /** The fixture file's name. */
  file: string;
  name: string;
  /** Multi-document YAML. */
  objects: string;
  /** The case's mesh config, else the file's. */
  meshConfig?: Record<string, unknown>;
}

/** Every analyzer fixture case, by file name then in file order. */
export function fixtureCases(): FixtureCase[] {
  const dir = join(repoRoot, 'src/analyze/analyzers');
  return readdirSync(dir)
    .filter((x) => x.endsWith('.fixtures.yaml'))
    .sort()
    .flatMap((file) => {
      const fx = parseFixtures(readFileSync(join(dir, file), 'utf8'));
      return [...fx.valid, ...fx.invalid].map((c) => {
        const meshConfig = c.meshConfig ?? fx.meshConfig;
        return { file, name: c.name, objects: c.objects, ...(meshConfig ? { meshConfig } : {}) };
      });
    });
}
