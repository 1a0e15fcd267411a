// Render parity: `mesh manifest generate` against the real `istioctl manifest generate`, object by
// object (kind/namespace/name) and field by field. Used by scripts/parity/run.mjs (the table) and
// test/parity/render.parity.test.ts (the assertions), so both measure the same thing.
//
// Normalisation, applied to both sides before comparing (docs/render.md, "Render parity"):
//   - CustomResourceDefinitions are left out (CRD parity is scripts/parity/crds.mjs).
//   - Helm's bookkeeping labels are dropped from metadata.labels and pod template labels:
//     app.kubernetes.io/{name,instance,version,managed-by,part-of}, helm.sh/chart, chart, heritage,
//     release. istioctl renders Istio's Helm charts and they describe the chart, not the object;
//     nothing selects on them (selectors are compared untouched).
//   - The owner labels istioctl adds only when it installs (getOwnerLabels in Istio's
//     operator/pkg/install/install.go: operator.istio.io/{component,managed,version}, istio.io/rev,
//     install.operator.istio.io/owning-resource[-namespace]) are compared only where istioctl's
//     rendered object has them (from the chart): mesh renders them on every object because its
//     install applies exactly what it renders.
//   - null values are dropped, and maps left empty by that (Kubernetes reads null as absent; the
//     gateway charts print `affinity: {nodeAffinity: {requiredDuringScheduling…: null}}`).
//   - RBAC `rules` become the set of single grants `apiGroup/resource[/resourceName]:verb`, so the
//     order and grouping of rules and of their lists do not count, only what is granted.
//   - CEL `expression`s of ValidatingAdmissionPolicies are compared without whitespace (CEL ignores it;
//     the chart writes them over several lines).
//   - Lists of objects that all have a distinct `name` are matched by name (env, containers, ports,
//     volumes, webhooks); other lists of objects by index; lists of scalars compare whole.
//   - ConfigMap data that holds a YAML/JSON document (the `mesh` and `meshNetworks` keys, the values
//     ConfigMap) is parsed and compared as data: `data.mesh.defaultConfig.discoveryAddress`.
//   - The `config` and `values` keys of the istio-sidecar-injector ConfigMaps are left out
//     (compared by the injector's own parity work).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const HELM_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/part-of',
  'helm.sh/chart',
  'chart',
  'heritage',
  'release',
];

const IOP = (spec) => `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n${spec}`;

/**
 * The cases: every profile istioctl knows, then overrides on the default profile. `args` are given
 * to both CLIs; `files` are written to a temporary directory and passed as `-f` (name → content).
 */
export const CASES = [
  ...['default', 'demo', 'minimal', 'empty', 'remote', 'preview', 'stable', 'ambient', 'openshift', 'openshift-ambient'].map((p) => ({
    name: p,
    args: ['--set', `profile=${p}`],
  })),
  { name: 'revision', args: ['-r', 'canary'] },
  { name: 'demo-revision', args: ['--set', 'profile=demo', '-r', 'canary'] },
  {
    name: 'gateways',
    args: [],
    files: {
      'gateways.yaml': IOP(`  components:
    ingressGateways:
    - name: istio-ingressgateway
      enabled: true
    - name: istio-ingressgateway-internal
      enabled: true
      label:
        app: istio-ingressgateway-internal
        istio: ingressgateway-internal
      k8s:
        service:
          type: ClusterIP
          ports:
          - name: https
            port: 443
            targetPort: 8443
          - name: tcp
            port: 9000
            targetPort: 9000
            protocol: TCP
    egressGateways:
    - name: istio-egressgateway
      enabled: true
`),
    },
  },
  {
    // A gateway with its own name and no `label`: mesh gives it its own selector labels (docs/render.md).
    name: 'gateway-custom-name',
    args: [],
    files: { 'gw.yaml': IOP(`  components:\n    ingressGateways:\n    - name: my-gateway\n      enabled: true\n`) },
  },
  {
    name: 'pilot-k8s',
    args: [],
    files: {
      'pilot.yaml': IOP(`  components:
    pilot:
      k8s:
        replicaCount: 2
        resources:
          requests:
            cpu: 750m
            memory: 3Gi
          limits:
            cpu: "2"
            memory: 4Gi
        env:
        - name: PILOT_ENABLE_STATUS
          value: "true"
        - name: EXTRA
          value: x
        nodeSelector:
          kubernetes.io/os: linux
        hpaSpec:
          minReplicas: 2
          maxReplicas: 7
`),
    },
  },
  {
    name: 'values',
    args: [
      '--set',
      'values.global.logAsJson=true',
      '--set',
      'meshConfig.accessLogFile=/dev/stdout',
      '--set',
      'values.pilot.traceSampling=5',
      '--set',
      'values.global.proxy.resources.requests.cpu=50m',
      '--set',
      'values.global.proxy.resources.limits.memory=512Mi',
      '--set',
      'values.global.logging.level=default:debug',
      '--set',
      'meshConfig.enableTracing=true',
      '--set',
      'meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true',
      '--set',
      'values.pilot.autoscaleEnabled=false',
      '--set',
      'values.global.meshID=mesh1',
      '--set',
      'values.global.multiCluster.clusterName=cluster1',
      '--set',
      'values.global.network=network1',
    ],
  },
  {
    name: 'more-values',
    args: [
      '--set',
      'hub=example.com/istio',
      '--set',
      'tag=1.31.1-custom',
      '--set',
      'values.global.imagePullPolicy=Always',
      '--set',
      'values.global.imagePullSecrets[0]=regcred',
      '--set',
      'values.global.priorityClassName=system-cluster-critical',
      '--set',
      'values.pilot.env.PILOT_ENABLE_STATUS=true',
      '--set',
      'values.pilot.podLabels.team=a',
      '--set',
      'values.gateways.istio-ingressgateway.runAsRoot=true',
      '--set',
      'values.gateways.istio-ingressgateway.serviceAnnotations.x=y',
      '--set',
      'values.gateways.istio-ingressgateway.nodeSelector.zone=a',
      '--set',
      'meshConfig.trustDomain=example.org',
      '--set',
      'meshConfig.defaultConfig.proxyMetadata.FOO=bar',
      '--set',
      'values.global.proxy.tracer=zipkin',
      '--set',
      'components.cni.enabled=true',
      '--set',
      'values.sidecarInjectorWebhook.enableNamespacesByDefault=true',
      '--set',
      'values.global.istiod.enableAnalysis=true',
    ],
  },
  {
    name: 'remote-multicluster',
    args: [
      '--set',
      'profile=remote',
      '--set',
      'values.global.remotePilotAddress=10.0.0.1',
      '--set',
      'values.global.multiCluster.clusterName=c2',
      '--set',
      'values.global.network=n2',
    ],
  },
  { name: 'ambient-revision', args: ['--set', 'profile=ambient', '-r', 'canary'] },
  {
    name: 'k8s-more',
    args: [],
    files: {
      'k8s.yaml': IOP(`  components:
    pilot:
      k8s:
        tolerations:
        - key: dedicated
          operator: Exists
        podAnnotations:
          example.com/a: b
        serviceAnnotations:
          example.com/s: t
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
        affinity:
          podAntiAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 10
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app: istiod
    ingressGateways:
    - name: istio-ingressgateway
      enabled: true
      k8s:
        replicaCount: 3
        hpaSpec:
          minReplicas: 3
          maxReplicas: 9
        resources:
          requests:
            cpu: 200m
        env:
        - name: EXTRA
          value: "1"
        serviceAnnotations:
          service.beta.kubernetes.io/aws-load-balancer-type: nlb
`),
    },
  },
  {
    name: 'namespace',
    args: ['--set', 'namespace=mesh-cp', '--set', 'values.global.istioNamespace=mesh-cp'],
  },
];

/** Runs a command; resolves with its exit code, stdout and stderr. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, HOME: process.env.HOME ?? '/tmp' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (e) => resolve({ code: 1, stdout, stderr: stderr + String(e) }));
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * Renders one case with both. `istioctl` is the binary; `mesh` is the command that runs mesh's CLI
 * (e.g. [node, bin/mesh] or [node, --import, tsx, src/cli/main.ts]). Returns the parsed objects.
 */
export async function renderCase(c, { istioctl, mesh, cwd }) {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-parity-'));
  try {
    const fileArgs = [];
    for (const [name, text] of Object.entries(c.files ?? {})) {
      writeFileSync(join(dir, name), text);
      fileArgs.push('-f', join(dir, name));
    }
    const args = ['manifest', 'generate', ...fileArgs, ...c.args];
    const [ic, me] = await Promise.all([run(istioctl, [...args, '--kubeconfig', '/nonexistent'], { cwd }), run(mesh[0], [...mesh.slice(1), ...args], { cwd })]);
    if (ic.code !== 0) throw new Error(`istioctl ${args.join(' ')} failed (${ic.code}): ${ic.stderr.trim()}`);
    if (me.code !== 0) throw new Error(`mesh ${args.join(' ')} failed (${me.code}): ${me.stderr.trim()}`);
    return { istioctl: parseManifest(ic.stdout), mesh: parseManifest(me.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseManifest(text) {
  const out = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o && typeof o === 'object' && typeof o.kind === 'string') out.push(o);
  }
  return out;
}

export const keyOf = (o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isRbac = (o) => o.kind === 'ClusterRole' || o.kind === 'Role';

/** The single grants of a list of RBAC rules: `group/resource[/name]:verb` (non-resource URLs too). */
export function grants(rules) {
  const out = new Set();
  for (const r of rules ?? []) {
    for (const v of r.verbs ?? []) {
      for (const u of r.nonResourceURLs ?? []) out.add(`url:${u}:${v}`);
      for (const g of r.apiGroups ?? []) {
        for (const res of r.resources ?? []) {
          const names = r.resourceNames?.length ? r.resourceNames : [''];
          for (const n of names) out.add(`${g === '' ? 'core' : g}/${res}${n ? `/${n}` : ''}:${v}`);
        }
      }
    }
  }
  return out;
}

/** Whether `grant` is allowed by any of `granted` (which may use `*` for group, resource or verb). */
export function covered(grant, granted) {
  if (granted.has(grant)) return true;
  const m = /^(.*?)\/(.*):([^:]*)$/.exec(grant);
  if (!m) return false;
  const [, g, res, v] = m;
  const base = res.split('/')[0];
  for (const x of granted) {
    const n = /^(.*?)\/(.*):([^:]*)$/.exec(x);
    if (!n) continue;
    const [, xg, xres, xv] = n;
    if (xg !== '*' && xg !== g) continue;
    if (xv !== '*' && xv !== v) continue;
    if (xres === '*' || xres === res || (xres === `${base}/*` && res.startsWith(`${base}/`))) return true;
  }
  return false;
}

export const OWNER_LABELS = [
  'operator.istio.io/component',
  'operator.istio.io/managed',
  'operator.istio.io/version',
  'istio.io/rev',
  'install.operator.istio.io/owning-resource',
  'install.operator.istio.io/owning-resource-namespace',
];

function celWhitespace(v) {
  if (Array.isArray(v)) v.forEach(celWhitespace);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'expression' && typeof x === 'string') v[k] = x.replace(/\s+/g, '');
      else celWhitespace(x);
    }
  }
}

function normalise(o, theirs) {
  const c = structuredClone(o);
  if (c.kind === 'ValidatingAdmissionPolicy') celWhitespace(c.spec);
  if (theirs !== undefined && isObj(c.metadata?.labels)) {
    const l = theirs.metadata?.labels ?? {};
    for (const k of OWNER_LABELS) if (!(k in l)) delete c.metadata.labels[k];
  }
  dropNulls(c);
  const strip = (labels) => {
    if (!isObj(labels)) return;
    for (const l of HELM_LABELS) delete labels[l];
  };
  strip(c.metadata?.labels);
  strip(c.spec?.template?.metadata?.labels);
  for (const k of ['labels', 'annotations']) if (isObj(c.metadata?.[k]) && Object.keys(c.metadata[k]).length === 0) delete c.metadata[k];
  if (isRbac(c)) c.rules = [...grants(c.rules)].sort();
  if (c.kind === 'ConfigMap' && isObj(c.data)) {
    if (/^istio-sidecar-injector/.test(c.metadata?.name ?? '')) {
      delete c.data.config;
      delete c.data.values;
    }
    for (const [k, v] of Object.entries(c.data)) {
      if (typeof v !== 'string') continue;
      const t = v.trim();
      if (!(t.startsWith('{') || t.startsWith('- ') || /^[A-Za-z_][\w.-]*:/m.test(t))) continue;
      try {
        const docs = parseAllDocuments(v);
        if (docs.length === 1 && docs[0].errors.length === 0) {
          const parsed = docs[0].toJS();
          if (isObj(parsed) || Array.isArray(parsed)) {
            dropNulls(parsed);
            c.data[k] = { __doc: parsed };
          }
        }
      } catch {
        /* not a document: compare as text */
      }
    }
  }
  return c;
}

// Drops null entries, and maps that only held nulls (`affinity: {nodeAffinity: {required…: null}}`
// is no affinity); a map that was empty to begin with (`emptyDir: {}`) stays.
function dropNulls(v) {
  if (Array.isArray(v)) {
    for (const x of v) dropNulls(x);
  } else if (isObj(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null || v[k] === undefined) delete v[k];
      else if (isObj(v[k]) && Object.keys(v[k]).length > 0) {
        dropNulls(v[k]);
        if (Object.keys(v[k]).length === 0) delete v[k];
      } else dropNulls(v[k]);
    }
  }
}

const named = (list) => list.length > 0 && list.every((x) => isObj(x) && typeof x.name === 'string') && new Set(list.map((x) => x.name)).size === list.length;

/** Leaf-level differences between two trees: [{ path, istioctl, mesh }]. */
export function diffTrees(a, b, path = '', out = []) {
  if (isObj(a) && isObj(b)) {
    const docA = '__doc' in a;
    const docB = '__doc' in b;
    if (docA && docB) return diffTrees(a.__doc, b.__doc, path, out);
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = path === '' ? k : `${path}.${k}`;
      if (!(k in b)) leaves(a[k], p, (pp, v) => out.push({ path: pp, istioctl: v, mesh: undefined }));
      else if (!(k in a)) leaves(b[k], p, (pp, v) => out.push({ path: pp, istioctl: undefined, mesh: v }));
      else diffTrees(a[k], b[k], p, out);
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.every((x) => !isObj(x) && !Array.isArray(x)) && b.every((x) => !isObj(x) && !Array.isArray(x))) {
      if (path.endsWith('rules') || path === 'rules') {
        const sb = new Set(b);
        const sa = new Set(a);
        for (const x of a) if (!sb.has(x)) out.push({ path: `${path}[${x}]`, istioctl: true, mesh: undefined });
        for (const x of b) if (!sa.has(x)) out.push({ path: `${path}[${x}]`, istioctl: undefined, mesh: true });
      } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, istioctl: a, mesh: b });
      return out;
    }
    if (named(a) && named(b)) {
      const mb = new Map(b.map((x) => [x.name, x]));
      const ma = new Map(a.map((x) => [x.name, x]));
      for (const x of a) {
        const p = `${path}[${x.name}]`;
        if (mb.has(x.name)) diffTrees(x, mb.get(x.name), p, out);
        else leaves(x, p, (pp, v) => out.push({ path: pp, istioctl: v, mesh: undefined }));
      }
      for (const x of b) if (!ma.has(x.name)) leaves(x, `${path}[${x.name}]`, (pp, v) => out.push({ path: pp, istioctl: undefined, mesh: v }));
      return out;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= b.length) leaves(a[i], p, (pp, v) => out.push({ path: pp, istioctl: v, mesh: undefined }));
      else if (i >= a.length) leaves(b[i], p, (pp, v) => out.push({ path: pp, istioctl: undefined, mesh: v }));
      else diffTrees(a[i], b[i], p, out);
    }
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, istioctl: a, mesh: b });
  return out;
}

function leaves(v, path, f) {
  if (isObj(v)) {
    if ('__doc' in v) return leaves(v.__doc, path, f);
    const ks = Object.keys(v);
    if (ks.length === 0) return f(path, {});
    for (const k of ks) leaves(v[k], `${path}.${k}`, f);
  } else if (Array.isArray(v) && v.some((x) => isObj(x))) {
    v.forEach((x, i) => leaves(x, `${path}[${isObj(x) && typeof x.name === 'string' ? x.name : i}]`, f));
  } else f(path, v);
}

function countLeaves(v) {
  let n = 0;
  leaves(v, '', () => n++);
  return n;
}

/**
 * Compares two manifests. Returns per object key the differing paths, plus the keys only on one
 * side, the number of fields compared, and the RBAC grants of mesh that istioctl does not give.
 */
export function compareManifests(icObjects, meshObjects) {
  const keep = (o) => o.kind !== 'CustomResourceDefinition';
  const ic = new Map(icObjects.filter(keep).map((o) => [keyOf(o), o]));
  const me = new Map(meshObjects.filter(keep).map((o) => [keyOf(o), o]));
  const result = { equal: [], differing: [], onlyIstioctl: [], onlyMesh: [], fields: 0, rbacBroader: [] };
  for (const [k, o] of ic) {
    const m = me.get(k);
    if (!m) {
      result.onlyIstioctl.push(k);
      continue;
    }
    const a = normalise(o);
    const b = normalise(m, o);
    result.fields += countLeaves(a);
    const diffs = diffTrees(a, b);
    if (diffs.length === 0) result.equal.push(k);
    else result.differing.push({ key: k, diffs });
  }
  for (const k of me.keys()) if (!ic.has(k)) result.onlyMesh.push(k);
  for (const [k, m] of me) {
    if (!isRbac(m)) continue;
    const theirs = grants(ic.get(k)?.rules);
    for (const g of grants(m.rules)) if (!covered(g, theirs)) result.rbacBroader.push(`${k}: ${g}`);
  }
  return result;
}

/** Whether a difference is on the allow-list: [{ case, object, path, reason }] (regexps or strings). */
export function allowed(allowList, caseName, key, path) {
  const m = (pat, s) => (pat instanceof RegExp ? pat.test(s) : pat === '*' || pat === s);
  return allowList.find((e) => m(e.case ?? '*', caseName) && m(e.object, key) && m(e.path ?? '*', path));
}
