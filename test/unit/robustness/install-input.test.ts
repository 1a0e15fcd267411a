/**
 * Regression tests for what the fuzz suite (test/fuzz) found in install input (`-f`, `--set`,
 * `--profile`): crashes, wrong exit codes, misleading values, and file content echoed in errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, MeshError, UsageError } from '../../../src/errors.js';
import { r } from '../render/helpers.js';

function failure(fn: () => unknown): MeshError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MeshError, `not a typed error: ${(err as Error).stack}`);
    return err;
  }
  assert.fail('did not throw');
}

function laughs(levels: number): string {
  const lines = ['apiVersion: install.istio.io/v1alpha1', 'kind: IstioOperator', 'spec:', '  values:', '    l0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`    l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

test('a YAML bomb in -f is refused with exit 65 naming the file', () => {
  const e = failure(() => r({ files: [{ name: 'bomb.yaml', text: laughs(9) }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^bomb\.yaml: the YAML's aliases expand to too many nodes/);
});

test('a file that is not an IstioOperator (e.g. -f /etc/shadow) is named without echoing its content', () => {
  const text = 'root:$6$salt$secrethash:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n';
  const e = failure(() => r({ files: [{ name: 'shadow', text }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^shadow: not an IstioOperator: a map of 2 keys/);
  assert.doesNotMatch([e.message, ...e.details].join('\n'), /secrethash|daemon/);
  // An empty overlay is still fine.
  r({ files: [{ name: 'empty.yaml', text: '{}\n' }] });
});

test('unknown fields and bad values are quoted as short escaped excerpts', () => {
  const e = failure(() => r({ files: [{ name: 'f.yaml', text: `spec:\n  hub: "${'h'.repeat(5000)}\\e[2J"\n  ${'k'.repeat(5000)}: 1\n` }] }));
  for (const line of [e.message, ...e.details]) {
    assert.ok(line.length < 300, line);
    assert.doesNotMatch(line, /\u001b/);
  }
});

test('--set replicaCount=1e400 shows the value given, not null', () => {
  const e = failure(() => r({ sets: ['components.pilot.k8s.replicaCount=1e400'] }));
  assert.ok(e instanceof UsageError);
  assert.equal(
    e.message,
    '--set components.pilot.k8s.replicaCount=1e400: components.pilot.k8s.replicaCount: expected a whole number from 0 to 2147483647, got "1e400"',
  );
});

test('--set replicaCount=99999999999999999999999 is refused, not rendered as 1e+23', () => {
  const e = failure(() => r({ sets: ['components.pilot.k8s.replicaCount=99999999999999999999999'] }));
  assert.ok(e instanceof UsageError);
  assert.match(e.message, /^--set components\.pilot\.k8s\.replicaCount=99999999999999999999999: .*too large for a whole number/);
});

test('--set with a list index past the end is exit 64 naming the flag', () => {
  const e = failure(() => r({ sets: ['components.ingressGateways[99].enabled=true'] }));
  assert.ok(e instanceof UsageError);
  assert.equal(
    e.message,
    '--set components.ingressGateways[99].enabled=true: "components.ingressGateways" has 1 element, so [99] is past its end; [1] adds one',
  );
});

test('--set that adds an incomplete list element is blamed on the flag, not on the profile', () => {
  const e = failure(() => r({ sets: ['components.ingressGateways[1].enabled=true'] }));
  assert.ok(e instanceof UsageError);
  assert.equal(e.message, '--set components.ingressGateways[1].enabled=true: gateway ingressGateways[1] has no name');
  // Appending a complete element still works.
  r({ sets: ['components.ingressGateways[1].name=extra', 'components.ingressGateways[1].enabled=true'] });
});

test('a huge --set is quoted shortened', () => {
  const e = failure(() => r({ sets: [`profile=${'x'.repeat(5000)}`] }));
  assert.ok(e.message.length < 500, String(e.message.length));
});

test('an overlay patch without a path is exit 65 naming it (it crashed)', () => {
  const text =
    'spec:\n  components:\n    pilot:\n      k8s:\n        overlays:\n          - { kind: Deployment, name: istiod, patches: [{ path: null, value: 1 }] }\n';
  const e = failure(() => r({ files: [{ name: 'f.yaml', text }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^f\.yaml: spec\.components\.pilot\.k8s\.overlays\[0\]\.patches\[0\]: a patch needs a path/);
});

test('a gateway a file adds without a name is blamed on the file', () => {
  const e = failure(() => r({ files: [{ name: 'f.yaml', text: 'spec:\n  components:\n    ingressGateways:\n      - enabled: true\n' }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^f\.yaml: spec\.components\.ingressGateways\[0\]\.name: gateway ingressGateways\[0\] has no name/);
});

test('a k8s overlay that does not apply is blamed on the file or flag that wrote it', () => {
  const text =
    'spec:\n  components:\n    pilot:\n      k8s:\n        overlays:\n          - { kind: Deployment, name: istiod, patches: [{ path: "spec.x.[name:nope].y", value: 1 }] }\n';
  const e = failure(() => r({ files: [{ name: 'f.yaml', text }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^f\.yaml: spec\.components\.pilot\.k8s\.overlays\[0\]\.patches\[0\] \(Deployment\/istiod\): element/);
  const s = failure(() => r({ sets: ['components.pilot.k8s.overlays[0].name=nope'] }));
  assert.ok(s instanceof UsageError);
  assert.match(s.message, /^--set components\.pilot\.k8s\.overlays\[0\]\.name=nope: components\.pilot\.k8s\.overlays\[0\]: no \(kind missing\) named "nope"/);
  assert.ok(s.message.length < 400);
});

test('an invalid metadata.namespace is blamed on the file', () => {
  const e = failure(() => r({ files: [{ name: 'f.yaml', text: 'metadata: { namespace: "-" }\n' }] }));
  assert.match(e.message, /^f\.yaml: metadata\.namespace: invalid namespace "-"/);
});

test('a null list element is a validation error, not a crash', () => {
  const e = failure(() => r({ files: [{ name: 'f.yaml', text: 'spec:\n  components:\n    ingressGateways: [null]\n' }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^f\.yaml: spec\.components\.ingressGateways\[0\]: expected .*, got null/);
});

test('a null namespace, hub, tag or revision is unset, as istioctl reads it, not a crash (found by the fuzz suite)', () => {
  for (const body of [
    'components:\n    cni:\n      enabled: true\n      namespace: null',
    'components:\n    pilot:\n      hub: null\n      tag: null',
    'components:\n    ingressGateways:\n    - name: gw\n      enabled: true\n      namespace: null\n      hub: null',
    'namespace: null\n  revision: null\n  hub: null',
  ]) {
    const { objects } = r({ files: [{ name: 'f.yaml', text: `spec:\n  ${body}\n` }] });
    assert.ok(objects.length > 0, body);
  }
  const e = failure(() => r({ files: [{ name: 'f.yaml', text: 'spec:\n  components:\n    ingressGateways:\n    - name: null\n      enabled: true\n' }] }));
  assert.ok(e instanceof InputError);
  assert.match(e.message, /^f\.yaml: spec\.components\.ingressGateways\[0\]\.name: gateway ingressGateways\[0\] has no name$/);
});

test('a null k8s field in an IstioOperator file (env: null) is an unset one, as istioctl reads it, not a crash', () => {
  const iop = (k8s: string): string => `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s:\n${k8s}`;
  const plain = r({ files: [{ name: 'plain.yaml', text: iop('        replicaCount: 2\n') }] });
  const nulls = r({
    files: [
      { name: 'nulls.yaml', text: iop('        replicaCount: 2\n        env: null\n        volumes: null\n        resources: null\n        overlays: null\n') },
    ],
  });
  assert.equal(JSON.stringify(nulls.objects), JSON.stringify(plain.objects));
  // a whole k8s (or a gateway's) that is null: unset too (the fuzz suite's seed 33 found it)
  const gw = `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s: null\n    ingressGateways:\n    - name: istio-ingressgateway\n      enabled: true\n      k8s: null\n`;
  const withNull = r({ profile: 'demo', files: [{ name: 'gw.yaml', text: gw }] });
  assert.equal(
    JSON.stringify(withNull.objects),
    JSON.stringify(r({ profile: 'demo', files: [{ name: 'gw.yaml', text: gw.replace(/\n\s+k8s: null/g, '') }] }).objects),
  );
});
