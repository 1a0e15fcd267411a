import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { emitDocument, toYaml } from '../../../src/render/yaml.js';
import { PROFILES, r } from './helpers.js';

const roundTrip = (v: unknown): void => {
  const text = emitDocument(v);
  assert.deepEqual(parse(text, { version: '1.2' }), v, text);
  assert.deepEqual(parse(text, { version: '1.1' }), v, text);
};

test('tricky scalars survive a round trip through YAML 1.1 and 1.2 parsers', () => {
  const strings = [
    '',
    ' ',
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'N',
    'true',
    'False',
    'null',
    '~',
    'Null',
    '1',
    '-1',
    '+1',
    '0x1F',
    '0o17',
    '0777',
    '1_000',
    '1e3',
    '1E3',
    '.5',
    '.inf',
    '-.Inf',
    '.nan',
    '1:20',
    '2001-12-14',
    '2001-12-14t21:59:43.10-05:00',
    '1.31.1',
    '100m',
    '128Mi',
    '2Ei',
    '1h30m',
    '-',
    '--',
    '---',
    '--domain',
    '-a: b',
    'a: b',
    'a:',
    'a #b',
    '#x',
    '@x',
    '`x',
    '!x',
    '&x',
    '*x',
    '|',
    '>',
    '%x',
    '{a}',
    '[a]',
    'a,b',
    "it's",
    '"q"',
    'tab\there',
    'line\nbreak',
    'trailing\n',
    'two\n\n',
    ' lead',
    'lead\n with space',
    'x \ny',
    '\u0007bell',
    '\u007fdel',
    '\u2028ls',
    'ünï',
    '<<',
    '=',
    '?',
    '? x',
    'a\r\nb',
    '{{ .Values.global.hub }}',
    '{{- if not (eq .Values.revision "") }}',
    '$(POD_NAMESPACE).svc.cluster.local',
    'registry.istio.io/release/pilot:1.31.1',
    'http://x:80/p',
    '*',
  ];
  roundTrip({ strings, keys: Object.fromEntries(strings.filter((s) => s !== '').map((s, i) => [s, i])) });
  roundTrip({ n: [0, -1, 1.5, 1e21, 3.0e-7, true, false, null], empty: { m: {}, l: [] }, nested: [[1, [2]], [{ a: [{ b: 'c' }] }], []] });
  roundTrip([{ a: 1 }, 'x\ny\n', 'x\ny']);
});

test('every golden case round-trips unchanged through the YAML parser', () => {
  for (const profile of Object.keys(PROFILES)) {
    const objects = r({ profile }).objects;
    const docs = parseAllDocuments(toYaml(objects), { version: '1.1' }).map((d) => d.toJS() as unknown);
    assert.deepEqual(docs, JSON.parse(JSON.stringify(objects)), profile);
  }
  const overlays = r({ revision: 'x1', sets: ['components.pilot.k8s.podAnnotations.a\\.b/c=d: e', 'values.pilot.env.X=yes'] }).objects;
  assert.deepEqual(
    parseAllDocuments(toYaml(overlays), { version: '1.1' }).map((d) => d.toJS() as unknown),
    JSON.parse(JSON.stringify(overlays)),
  );
});
