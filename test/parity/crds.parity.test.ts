// CRD parity: the CRDs mesh installs against the ones the real istioctl renders (Istio 1.31).
// - every field path of Istio's CRDs exists in mesh's with the same type, format, enum and
//   free-form-ness (an undeclared field would be pruned from users' objects by the API server);
// - every CEL rule of Istio's has a mesh rule at the same schema node with the same verdicts: both are
//   evaluated locally (@bufbuild/cel, test/unit/model/kube-cel.ts) on generated values of that node,
//   and whole resources from a table (one per rule family) are rejected, or accepted, by both CRDs.
// Istio's rules are read from istioctl's output at test time; none of its CRD text is in the repo.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CEL_ALLOW_LIST, compareCrds, crdsOf, schemaRules, type Crd } from '../../scripts/parity/crds.mjs';
import { istioCrds } from '../../src/model/istio/crds.js';
import type { JSONSchemaProps } from '../../src/model/istio/schema-types.js';
import { loadCorpus } from '../unit/model/corpus.js';
import { celViolations, ruleHolds, toCel } from '../unit/model/kube-cel.js';
import { istioctl, oracleSkip } from './oracle.js';

// ---------------------------------------------------------------------------------------------
// Values to try at a schema node

const STRINGS = [
  '',
  'x',
  'a-b',
  '*',
  'a*b',
  '*.example.com',
  'reviews',
  '0',
  '80',
  '0s',
  '0.5ms',
  '999us',
  '1ms',
  '1s',
  '1h',
  '-1s',
  'bad',
  'unix://',
  'unix:///var/run/app.sock',
  'unix://@abstract',
  'unix://relative/path',
  'unix:///var/run/',
  '10.0.0.1',
  '10.0.0.0/8',
  'http://example.com/jwks',
  'https://example.com',
  'HTTP://EXAMPLE.COM',
  'ftp://example.com',
  'oci://reg.io/x:1',
  'file:///x.wasm',
  'reg.io/ns/x:1',
  'localhost:5000/x',
  '/abs/path',
  'http://a b/',
  'HTTP',
  'HTTPS',
  'http',
  'NONE',
  'STATIC',
  'DNS',
  'DNS_ROUND_ROBIN',
  'UPSERT',
  'REMOVE',
  'HOST',
  'INLINE',
  'WAYPOINT',
  'GATEWAY',
];
const KEYS = [
  '',
  '*',
  'app',
  'a*',
  'app.kubernetes.io/name',
  '0',
  '1',
  '80',
  '65535',
  '65536',
  '-1',
  'x1',
  'http',
  'Bad_Name',
  '-bad',
  'a'.repeat(62),
  'a'.repeat(63),
];
const INTS = [-1, 0, 1, 80, 65535, 65536];

/** A deterministic PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Sample JSON values for a node; `fields` are the object fields the rules at this node mention. */
function samples(node: JSONSchemaProps, depth: number, fields: string[] = []): unknown[] {
  if (node.enum) return [...node.enum, ''];
  switch (node.type) {
    case 'string':
      return depth === 0
        ? STRINGS
        : STRINGS.filter((_, i) => i % 3 === 0).concat([
            'unix:///a.sock',
            'NONE',
            'STATIC',
            'DNS_ROUND_ROBIN',
            'WAYPOINT',
            'HOST',
            'UPSERT',
            'REMOVE',
            '10.0.0.0/8',
          ]);
    case 'integer':
      return INTS;
    case 'number':
      return [0, 50.5, 101];
    case 'boolean':
      return [true, false];
    case 'array': {
      const items = node.items ? samples(node.items, depth + 1).slice(0, 8) : [];
      const out: unknown[] = [[]];
      items.forEach((s, i) => out.push([s], [s, s], [s, items[(i + 1) % items.length]]));
      return out;
    }
    case 'object': {
      if (node.additionalProperties && !node.properties) {
        const values = samples(node.additionalProperties, depth + 1).slice(0, 4);
        const out: unknown[] = [{}];
        for (const k of KEYS) out.push({ [k]: values[Math.min(1, values.length - 1)] });
        for (const v of values) out.push({ a: v, b: v });
        return out;
      }
      if (!node.properties) return [{}];
      if (depth >= 2) return [{}, filled(node, 0), filled(node, 1)];
      // Objects: every subset of the mentioned fields, with values drawn from their samples.
      const mentioned = fields.filter((f) => node.properties![f]);
      const pools = mentioned.map((f) => samples(node.properties![f]!, depth + 1));
      const out: unknown[] = [{}, filled(node, 0), filled(node, 1)];
      const rand = prng(mentioned.join(',').length + 7);
      for (let mask = 1; mask < 1 << mentioned.length; mask++) {
        const idx = mentioned.map((_, i) => i).filter((i) => mask & (1 << i));
        const combos = idx.reduce((n, i) => n * pools[i]!.length, 1);
        const tries = Math.min(combos, 60);
        for (let t = 0; t < tries; t++) {
          const o: Record<string, unknown> = {};
          for (const i of idx) {
            const pool = pools[i]!;
            o[mentioned[i]!] =
              combos <= 60
                ? pool[Math.floor(t / idx.filter((j) => j < i).reduce((n, j) => n * pools[j]!.length, 1)) % pool.length]
                : pool[Math.floor(rand() * pool.length)];
          }
          out.push(o);
        }
      }
      return out;
    }
    default:
      return [null];
  }
}

/** An object with each scalar field set to its n-th sample (lists and nested objects left out). */
function filled(node: JSONSchemaProps, n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(node.properties ?? {})) {
    if (sub.type === 'integer') o[k] = [80, 81][n];
    else if (sub.type === 'string' && !sub.enum) o[k] = [`v${n}`, `w${n}`][n];
  }
  return o;
}

/** Field names the rules mention as `self.<name>` (and `self.<name>.<child>` for nested selectors). */
function mentionedFields(rules: string[]): string[] {
  const out = new Set<string>();
  for (const r of rules) for (const m of r.matchAll(/self\.([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  return [...out];
}

// The node's own schema checks (bounds, enum, pattern), which the API server applies next to CEL.
function schemaOk(node: JSONSchemaProps, v: unknown): boolean {
  if (typeof v === 'string') {
    if (node.enum && !node.enum.includes(v)) return false;
    if (node.minLength !== undefined && v.length < node.minLength) return false;
    if (node.maxLength !== undefined && v.length > node.maxLength) return false;
    if (node.pattern && !new RegExp(node.pattern, 'u').test(v)) return false;
  } else if (typeof v === 'number') {
    if (node.minimum !== undefined && v < node.minimum) return false;
    if (node.maximum !== undefined && v > node.maximum) return false;
  } else if (Array.isArray(v)) {
    if (node.minItems !== undefined && v.length < node.minItems) return false;
    if (node.maxItems !== undefined && v.length > node.maxItems) return false;
  } else if (v && typeof v === 'object') {
    const n = Object.keys(v).length;
    if (!node.properties && node.minProperties !== undefined && n < node.minProperties) return false;
    if (!node.properties && node.maxProperties !== undefined && n > node.maxProperties) return false;
  }
  return true;
}

function nodeAt(root: JSONSchemaProps, path: string): JSONSchemaProps {
  let n = root;
  for (const seg of path.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? []) {
    n = seg === '[]' ? n.items! : seg === '{}' ? n.additionalProperties! : n.properties![seg]!;
    if (!n) throw new Error(`no node ${path}`);
  }
  return n;
}

const verdicts = (rule: string, node: JSONSchemaProps, values: unknown[]) => values.map((v) => ruleHolds(rule, toCel(v, node)));

// ---------------------------------------------------------------------------------------------

describe('CRD parity with istioctl (Istio 1.31)', { skip: oracleSkip || false }, () => {
  let istio: Map<string, Crd>;
  let mesh: Map<string, Crd>;
  const storage = (c: Crd): JSONSchemaProps => (c.spec.versions.find((v) => v.storage) ?? c.spec.versions[0]!).schema.openAPIV3Schema;

  before(() => {
    const r = istioctl(['manifest', 'generate', '--set', 'profile=default', '--kubeconfig', '/nonexistent']);
    assert.equal(r.code, 0, r.stderr);
    istio = crdsOf(r.stdout);
    mesh = crdsOf(istioCrds());
  });

  test('the same 15 CRDs with the same served versions', () => {
    assert.deepEqual([...mesh.keys()].sort(), [...istio.keys()].sort());
    assert.equal(istio.size, 15);
    for (const [name, c] of istio) {
      assert.deepEqual(
        mesh
          .get(name)!
          .spec.versions.map((v) => v.name)
          .sort(),
        c.spec.versions.map((v) => v.name).sort(),
        name,
      );
    }
  });

  test("every field path of Istio's CRDs is declared by mesh's, with a compatible type", () => {
    const { summary } = compareCrds(istio, mesh);
    const missing = Object.entries(summary.perCrd).flatMap(([n, p]) => p.missingPaths.map((x) => `${n} ${x}`));
    const mismatched = Object.entries(summary.perCrd).flatMap(([n, p]) => p.mismatchedPaths.map((x) => `${n} ${x}`));
    assert.deepEqual(missing, [], 'field paths mesh lacks');
    assert.deepEqual(mismatched, [], 'field paths whose type, format, enum or free-form-ness differ');
    assert.ok(summary.istioPaths > 3000, `compared ${summary.istioPaths} paths`);
  });

  test('other constraints (bounds, patterns, required, oneOf, list types) match, but for documented ones', () => {
    // ServiceEntry port numbers: mesh adds the bounds 1..65535 next to the CEL rule (same effect; lets
    // `mesh analyze`, which does not run CEL, report them). See docs/istio-schemas.md.
    const known = /^serviceentries\.networking\.istio\.io v1\w* spec\.ports\[\]\.(number|targetPort) (minimum|maximum):/;
    const { summary } = compareCrds(istio, mesh);
    const diffs = Object.entries(summary.perCrd).flatMap(([n, p]) => p.constraintDiffs.map((d) => `${n} ${d}`));
    assert.deepEqual(
      diffs.filter((d) => !known.test(d)),
      [],
    );
  });

  test('all versions of a CRD carry the same rules (so comparing the storage version suffices)', () => {
    for (const side of [istio, mesh]) {
      for (const [name, c] of side) {
        const first = JSON.stringify(schemaRules(c.spec.versions[0]!.schema.openAPIV3Schema));
        for (const v of c.spec.versions) assert.equal(JSON.stringify(schemaRules(v.schema.openAPIV3Schema)), first, `${name} ${v.name}`);
      }
    }
  });

  test("every CEL rule of Istio's has a mesh rule at the same node with the same verdicts", () => {
    const problems: string[] = [];
    let compared = 0;
    for (const [name, ic] of istio) {
      const iroot = storage(ic);
      const mroot = storage(mesh.get(name)!);
      const byNode = new Map<string, string[]>();
      for (const r of schemaRules(iroot)) byNode.set(r.path, [...(byNode.get(r.path) ?? []), r.rule]);
      const meshByNode = new Map<string, string[]>();
      for (const r of schemaRules(mroot)) meshByNode.set(r.path, [...(meshByNode.get(r.path) ?? []), r.rule]);
      for (const path of new Set([...byNode.keys(), ...meshByNode.keys()])) {
        const irules = byNode.get(path) ?? [];
        const mrules = meshByNode.get(path) ?? [];
        const inode = nodeAt(iroot, path);
        const mnode = nodeAt(mroot, path);
        const values = samples(inode, 0, mentionedFields([...irules, ...mrules]));
        const mverdicts = mrules.map((r) => verdicts(r, mnode, values));
        for (const rule of irules) {
          compared++;
          const iv = verdicts(rule, inode, values);
          if (!iv.includes(false) || !iv.includes(true)) {
            problems.push(`${name} ${path}: the samples do not exercise Istio's rule ${rule}`);
            continue;
          }
          const twin = mverdicts.findIndex((mv) => mv.every((x, i) => x === iv[i]));
          if (twin < 0) {
            const allowed = CEL_ALLOW_LIST.some((a) => a.crd === name && a.node === path && a.rule === rule);
            // The nearest mesh rule, and a value on which it disagrees.
            const diffs = mverdicts.map((mv) => mv.filter((x, i) => x !== iv[i]).length);
            const near = mverdicts[diffs.indexOf(Math.min(...diffs))];
            const ex = near ? `e.g. ${JSON.stringify(values[near.findIndex((x, i) => x !== iv[i])])}` : 'no mesh rule';
            if (!allowed) problems.push(`${name} ${path}: no mesh rule acts like ${rule} (${ex})`);
          }
        }
        // Taken together (with each side's own bounds at the node) both accept exactly the same values.
        for (const [i, v] of values.entries()) {
          const ok = (node: JSONSchemaProps, rules: string[]) => schemaOk(node, v) && rules.every((r) => ruleHolds(r, toCel(v, node)));
          if (ok(inode, irules) !== ok(mnode, mrules)) {
            problems.push(`${name} ${path}: sample ${i} ${JSON.stringify(v)} is ${ok(inode, irules) ? 'accepted' : 'rejected'} by Istio, not by mesh`);
            break;
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(compared >= 150, `compared ${compared} rules`);
  });

  test('the allow-list names only rules Istio has', () => {
    for (const a of CEL_ALLOW_LIST) {
      const rules = schemaRules(storage(istio.get(a.crd)!)).filter((r) => r.path === a.node && r.rule === a.rule);
      assert.ok(rules.length > 0, `${a.crd} ${a.node}: ${a.rule}`);
      assert.ok(a.reason.length > 20);
    }
  });

  // One invalid resource per rule family: both CRDs must reject it, at the same node.
  const INVALID: [string, string, Record<string, unknown>, string][] = [
    [
      'durations of at least 1ms',
      'destinationrules',
      { host: 'r', trafficPolicy: { outlierDetection: { interval: '500us' } } },
      'spec.trafficPolicy.outlierDetection.interval',
    ],
    ['durations must parse', 'virtualservices', { http: [{ timeout: '5 seconds' }] }, 'spec.http[].timeout'],
    [
      'new 1.31 duration fields too',
      'destinationrules',
      { host: 'r', trafficPolicy: { connectionPool: { http: { http2KeepAlive: { interval: '0s' } } } } },
      'spec.trafficPolicy.connectionPool.http.http2KeepAlive.interval',
    ],
    ['wildcard host', 'serviceentries', { hosts: ['*'] }, 'spec.hosts[]'],
    [
      'duplicate port numbers',
      'serviceentries',
      {
        hosts: ['a.example.com'],
        ports: [
          { name: 'a', number: 80 },
          { name: 'b', number: 80 },
        ],
      },
      'spec.ports',
    ],
    ['port range (map values)', 'workloadentries', { address: '10.0.0.1', ports: { http: 0 } }, 'spec.ports{}'],
    ['port range (probe)', 'workloadgroups', { template: {}, probe: { tcpSocket: { port: 70000 } } }, 'spec.probe.tcpSocket.port'],
    ['port keys', 'peerauthentications', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { '0': { mode: 'STRICT' } } }, 'spec.portLevelMtls'],
    ['port names', 'workloadentries', { address: '10.0.0.1', ports: { Bad_Name: 80 } }, 'spec.ports'],
    ['portLevelMtls needs a selector', 'peerauthentications', { portLevelMtls: { '8080': { mode: 'STRICT' } } }, 'spec'],
    ['selector or targetRef(s)', 'authorizationpolicies', { selector: { matchLabels: { app: 'a' } }, targetRef: { kind: 'Gateway', name: 'g' } }, 'spec'],
    ['workloadSelector or targetRefs', 'envoyfilters', { workloadSelector: { labels: { app: 'a' } }, targetRefs: [{ kind: 'Gateway', name: 'g' }] }, 'spec'],
    ['cross-namespace target', 'telemetries', { targetRefs: [{ kind: 'Gateway', name: 'g', namespace: 'other' }] }, 'spec.targetRefs[].namespace'],
    ['wildcard label key', 'requestauthentications', { selector: { matchLabels: { 'app*': 'a' } } }, 'spec.selector.matchLabels'],
    ['empty label key', 'wasmplugins', { url: 'oci://reg.io/x', selector: { matchLabels: { '': 'a' } } }, 'spec.selector.matchLabels'],
    ['wildcard label value', 'sidecars', { workloadSelector: { labels: { app: 'a*' } } }, 'spec.workloadSelector.labels{}'],
    ['unix socket path', 'workloadentries', { address: 'unix://relative' }, 'spec.address'],
    ['unix socket directory', 'serviceentries', { hosts: ['a.example.com'], endpoints: [{ address: 'unix:///var/run/' }] }, 'spec.endpoints[].address'],
    ['unix socket with ports', 'workloadgroups', { template: { address: 'unix:///a.sock', ports: { http: 80 } } }, 'spec.template'],
    ['address or network', 'serviceentries', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ labels: { a: 'b' } }] }, 'spec.endpoints[]'],
    ['CIDR addresses need NONE or STATIC', 'serviceentries', { hosts: ['a.example.com'], addresses: ['10.0.0.0/8'], resolution: 'DNS' }, 'spec'],
    ['NONE with endpoints', 'serviceentries', { hosts: ['a.example.com'], endpoints: [{ address: '10.0.0.1' }] }, 'spec'],
    [
      'DNS_ROUND_ROBIN with two endpoints',
      'serviceentries',
      { hosts: ['a.example.com'], resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] },
      'spec',
    ],
    [
      'workloadSelector or endpoints',
      'serviceentries',
      { hosts: ['a.example.com'], resolution: 'STATIC', workloadSelector: { labels: { a: 'b' } }, endpoints: [{ address: '10.0.0.1' }] },
      'spec',
    ],
    [
      'serviceAccounts exclude principals',
      'authorizationpolicies',
      { rules: [{ from: [{ source: { serviceAccounts: ['ns/sa'], namespaces: ['ns'] } }] }] },
      'spec.rules[].from[].source',
    ],
    ['jwks or jwksUri', 'requestauthentications', { jwtRules: [{ issuer: 'i', jwks: '{}', jwksUri: 'https://example.com/jwks' }] }, 'spec.jwtRules[]'],
    ['jwksUri scheme', 'requestauthentications', { jwtRules: [{ issuer: 'i', jwksUri: 'ftp://example.com/jwks' }] }, 'spec.jwtRules[].jwksUri'],
    ['Wasm URL scheme', 'wasmplugins', { url: 'ftp://example.com/x.wasm' }, 'spec.url'],
    ['wasm xor lua', 'trafficextensions', {}, 'spec'],
    [
      'env value with valueFrom HOST',
      'trafficextensions',
      { wasm: { url: 'oci://reg.io/x', vmConfig: { env: [{ name: 'A', valueFrom: 'HOST', value: 'x' }] } } },
      'spec.wasm.vmConfig.env[]',
    ],
    [
      'tag UPSERT needs a value',
      'telemetries',
      { metrics: [{ overrides: [{ tagOverrides: { t: { operation: 'UPSERT' } } }] }] },
      'spec.metrics[].overrides[].tagOverrides{}',
    ],
    [
      'tag REMOVE takes no value',
      'telemetries',
      { metrics: [{ overrides: [{ tagOverrides: { t: { operation: 'REMOVE', value: 'x' } } }] }] },
      'spec.metrics[].overrides[].tagOverrides{}',
    ],
    [
      'waypoint match only with context WAYPOINT',
      'envoyfilters',
      { configPatches: [{ match: { context: 'GATEWAY', waypoint: {} } }] },
      'spec.configPatches[].match',
    ],
    [
      'credentialName and credentialNames',
      'gateways',
      { servers: [{ hosts: ['*'], port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { credentialName: 'a', credentialNames: ['b'] } }] },
      'spec.servers[].tls',
    ],
    [
      'tlsCertificates and credentialNames',
      'sidecars',
      { ingress: [{ port: { number: 9080 }, tls: { credentialNames: ['a'], tlsCertificates: [{}] } }] },
      'spec.ingress[].tls',
    ],
    ['probe scheme', 'workloadgroups', { template: {}, probe: { httpGet: { port: 8080, scheme: 'FTP' } } }, 'spec.probe.httpGet.scheme'],
  ];
  // And resources both accept (beyond the corpus).
  const VALID: [string, string, Record<string, unknown>][] = [
    ['zero TCP idle timeout', 'destinationrules', { host: 'r', trafficPolicy: { connectionPool: { tcp: { idleTimeout: '0s' } } } }],
    [
      'session cookie (ttl 0s)',
      'destinationrules',
      { host: 'r', trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'c', ttl: '0s' } } } } },
    ],
    ['abstract unix socket', 'workloadentries', { address: 'unix://@envoy' }],
    ['network without address', 'workloadentries', { network: 'n1' }],
    ['bare registry reference', 'wasmplugins', { url: 'reg.io/ns/x:1' }],
    [
      'DNS_ROUND_ROBIN with one endpoint',
      'serviceentries',
      { hosts: ['a.example.com'], resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }] },
    ],
    ['waypoint match with context WAYPOINT', 'envoyfilters', { configPatches: [{ match: { context: 'WAYPOINT', waypoint: { portNumber: 8080 } } }] }],
  ];
  const crdName = (short: string) => [...istio.keys()].find((n) => n.startsWith(`${short}.`))!;

  test('invalid resources (one per rule family) are rejected by both CRDs at the same node', () => {
    for (const [what, short, spec, node] of INVALID) {
      const name = crdName(short);
      const iv = celViolations(storage(istio.get(name)!), { spec });
      const mv = celViolations(storage(mesh.get(name)!), { spec });
      assert.ok(
        iv.some((v) => v.node === node),
        `${what}: Istio's CRD should reject at ${node}: ${JSON.stringify(iv)}`,
      );
      assert.ok(
        mv.some((v) => v.node === node),
        `${what}: mesh's CRD should reject at ${node}: ${JSON.stringify(mv)}`,
      );
      assert.deepEqual([...new Set(mv.map((v) => v.at))].sort(), [...new Set(iv.map((v) => v.at))].sort(), `${what}: the same places`);
    }
  });

  test('valid resources and the whole corpus are accepted by both CRDs', () => {
    const docs: [string, string, unknown][] = VALID.map(([what, short, spec]) => [what, crdName(short), { spec }]);
    for (const d of loadCorpus()) {
      const name = [...istio.keys()].find((n) => {
        const c = istio.get(n)!;
        return c.spec.names.kind === d.object.kind && d.object.apiVersion.startsWith(`${c.spec.group}/`);
      })!;
      docs.push([`${d.file} #${d.index}`, name, d.object]);
    }
    for (const [what, name, obj] of docs) {
      assert.deepEqual(celViolations(storage(istio.get(name)!), obj), [], `${what}: Istio's CRD`);
      assert.deepEqual(celViolations(storage(mesh.get(name)!), obj), [], `${what}: mesh's CRD`);
    }
  });
});
