import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorMatches, labelSelectorString, labelsMatchSelectorString } from '../../../src/model/label-selector.js';

test('label selectors match as the API server matches them', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.equal(labelSelectorMatches(undefined, labels), true, 'absent selects all');
  assert.equal(labelSelectorMatches({}, labels), true, 'empty selects all');
  assert.equal(labelSelectorMatches({ matchLabels: { app: 'web' } }, labels), true);
  assert.equal(labelSelectorMatches({ matchLabels: { app: 'db' } }, labels), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels), true);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels), true);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels), true);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, labels), false, 'invalid selects nothing');
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Matches' }] }, labels), false, 'unknown operator');
});

test('label selectors as API strings: matchLabels and every matchExpressions operator', () => {
  assert.equal(labelSelectorString(undefined), '');
  assert.equal(labelSelectorString({}), '');
  assert.equal(labelSelectorString({ matchLabels: { app: 'web', tier: 'front' } }), 'app=web,tier=front');
  assert.equal(
    labelSelectorString({
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['web', 'api'] },
        { key: 'zone', operator: 'NotIn', values: ['a'] },
        { key: 'track', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    }),
    'app in (web,api),zone notin (a),track,!legacy',
  );
  assert.equal(
    labelSelectorString({ matchLabels: { app: 'db' }, matchExpressions: [{ key: 'role', operator: 'In', values: ['primary'] }] }),
    'app=db,role in (primary)',
  );
});

test('sortLabels puts matchLabels in key order (a label set as Kubernetes and istioctl print it)', () => {
  assert.equal(labelSelectorString({ matchLabels: { tier: 'front', app: 'web' } }), 'tier=front,app=web');
  assert.equal(labelSelectorString({ matchLabels: { tier: 'front', app: 'web' } }, { sortLabels: true }), 'app=web,tier=front');
});

test('label selector strings (kubectl -l) match labels as the API server matches labelSelector=', () => {
  const labels = { team: 'a', env: 'prod', tier: '3' };
  const m = (s: string): boolean => labelsMatchSelectorString(labels, s);
  assert.equal(m(''), true, 'empty selects all');
  assert.equal(m('team=a'), true);
  assert.equal(m('team==a'), true);
  assert.equal(m('team=b'), false);
  assert.equal(m('team!=b'), true);
  assert.equal(m('zone!=x'), true, 'an absent key is not equal to anything');
  assert.equal(m('team=a,env=dev'), false, 'requirements are ANDed');
  assert.equal(m('team'), true);
  assert.equal(m('!team'), false);
  assert.equal(m('!zone'), true);
  assert.equal(m('env in (dev, prod)'), true);
  assert.equal(m('env notin (prod)'), false);
  assert.equal(m('zone notin (x)'), true, 'notin holds for an absent key');
  assert.equal(m('zone in (x)'), false);
  assert.equal(m('tier>2'), true);
  assert.equal(m('tier<2'), false);
  assert.equal(m('team>2'), false, 'not an integer');
  assert.equal(m('team=a, env in (prod,dev) ,!zone'), true);
});
