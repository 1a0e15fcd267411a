import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carryOverIstiodFields } from '../../../src/apply/labels.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const vwc = (failurePolicy: string, caBundle?: string): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'istio-validator-istio-system' },
  webhooks: [
    {
      name: 'rev.validation.istio.io',
      failurePolicy,
      clientConfig: { service: { name: 'istiod', namespace: 'istio-system' }, ...(caBundle ? { caBundle } : {}) },
    },
  ],
});
const hook = (o: KubeObject) => (o['webhooks'] as { failurePolicy: string; clientConfig: { caBundle?: string } }[])[0]!;

test('re-applying keeps the caBundle and the fail-closed policy istiod set', () => {
  const out = carryOverIstiodFields(vwc('Ignore'), vwc('Fail', 'Q0E='));
  assert.equal(hook(out).failurePolicy, 'Fail');
  assert.equal(hook(out).clientConfig.caBundle, 'Q0E=');
});

test('a first install, or a live Ignore, keeps the rendered policy; the input is not changed', () => {
  const desired = vwc('Ignore');
  assert.equal(carryOverIstiodFields(desired, undefined), desired);
  assert.equal(hook(carryOverIstiodFields(desired, vwc('Ignore'))).failurePolicy, 'Ignore');
  carryOverIstiodFields(desired, vwc('Fail', 'Q0E='));
  assert.equal(hook(desired).failurePolicy, 'Ignore');
  assert.equal(hook(desired).clientConfig.caBundle, undefined);
});

test('a rendered Fail is never weakened, and mutating webhooks keep their own failurePolicy', () => {
  assert.equal(hook(carryOverIstiodFields(vwc('Fail'), vwc('Ignore'))).failurePolicy, 'Fail');
  const mwc = { ...vwc('Ignore'), kind: 'MutatingWebhookConfiguration' };
  assert.equal(hook(carryOverIstiodFields(mwc, { ...vwc('Fail'), kind: 'MutatingWebhookConfiguration' })).failurePolicy, 'Ignore');
});
