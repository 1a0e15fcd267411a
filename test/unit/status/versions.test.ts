import assert from 'node:assert/strict';
import { test } from 'node:test';
import { remoteText } from '../../../src/cli/actions/version.js';
import { computeStatus } from '../../../src/status/compute.js';
import { reportedIstiodVersion } from '../../../src/status/syncz.js';
import { versionsFromStatus } from '../../../src/status/versions.js';
import { snapshot } from './fixtures.js';

const images = {
  controlPlane: [{ revision: 'default', version: '1.31.0', deployment: 'istio-system/istiod' }],
  dataPlane: [
    { version: '1.31.1', proxies: 4 },
    { version: '1.30.2', proxies: 2 },
  ],
};

test('version --remote from istiod: its xDS identity, and the ISTIO_VERSION of connected proxies; others keep their image', () => {
  const snap = snapshot();
  const report = computeStatus(snap);
  const istiodVersions = snap.payloads.map((p) => ({ pod: p.istiod, version: reportedIstiodVersion(p) }));
  // Over HTTP istiod does not say its version; over xDS its identity does.
  assert.deepEqual(istiodVersions, [
    { pod: 'istiod-aaa', version: null },
    { pod: 'istiod-bbb', version: '1.31.1' },
  ]);
  const v = versionsFromStatus(images, [{ report, istiodVersions }]);
  assert.deepEqual(v.controlPlane, [{ revision: 'default', version: '1.31.1', deployment: 'istio-system/istiod', source: 'istiod' }]);
  const total = v.dataPlane.reduce((n, d) => n + d.proxies, 0);
  assert.equal(total, report.proxies.length);
  const old = v.dataPlane.find((d) => d.version === '1.30.2');
  assert.ok(old && old.reported !== undefined && old.reported >= 1, JSON.stringify(v.dataPlane));
  assert.match(remoteText(v), /^control plane version: 1\.31\.1 \(revision default, istio-system\/istiod, reported by istiod\)$/m);
  assert.match(
    remoteText({ controlPlane: [], dataPlane: [{ version: '1.31.1', proxies: 3, reported: 2 }] }),
    /^data plane version: 1\.31\.1 \(3 proxies, 2 reported by istiod, 1 from the image\)$/m,
  );
});

test('an istiod that answers nothing about itself keeps the image version, said as such', () => {
  const snap = snapshot();
  const v = versionsFromStatus(images, [{ report: computeStatus(snap), istiodVersions: [] }]);
  assert.deepEqual(v.controlPlane, [{ revision: 'default', version: '1.31.0', deployment: 'istio-system/istiod', source: 'image' }]);
  assert.match(remoteText(v), /^control plane version: 1\.31\.0 \(revision default, istio-system\/istiod\)$/m);
});
