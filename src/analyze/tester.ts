/**
 * The analyzer tester, after ESLint's RuleTester. A fixture file holds `valid` and `invalid` cases of
 * YAML objects; the tester runs the analyzer on each case in strict mode and checks:
 *  - there is at least one valid and one invalid case, and no two cases share a name or objects;
 *  - valid cases produce no finding; invalid cases produce exactly the expected findings;
 *  - every code the analyzer declares is produced by some invalid case, and it reports no other;
 *  - the kinds the analyzer read, over all cases, equal its declared `meta.inputs`;
 *  - the analyzer does not change the objects it reads (they are frozen).
 * Placeholders left unfilled and undeclared codes fail in the runner's strict mode.
 */
import type { KindId } from './kinds.js';
import { parseManifests } from './load.js';
import { messageType } from './messages.js';
import { DEFAULT_SETTINGS, friendlyName, runAnalyzers } from './runner.js';
import { ResourceStore } from './store.js';
import type { AnalysisSettings, Analyzer, Message } from './types.js';
import { parseKubeYamlValue } from '../model/yaml.js';
import { asRecord, isRecord, stringOrUndefined } from '../util/narrow.js';

export interface Expectation {
  code: string;
  /** `Kind ns/name` or `Kind name`. */
  resource: string;
  /** Line within the case's objects text, when given. */
  line?: number;
  /** Exact message text, when given. */
  message?: string;
}

export interface FixtureCase {
  name: string;
  objects: string;
  expect: Expectation[];
  meshConfig?: Record<string, unknown>;
}

export interface Fixtures {
  valid: FixtureCase[];
  invalid: FixtureCase[];
  meshConfig?: Record<string, unknown>;
}

export interface CaseReport {
  name: string;
  failures: string[];
}

/** Parses a fixtures file. Expectations are `CODE Kind ns/name[:line]` or `{code, resource, line?, message?}`. */
export function parseFixtures(text: string): Fixtures {
  const doc = asRecord(parseKubeYamlValue(text));
  const cases = (key: 'valid' | 'invalid'): FixtureCase[] =>
    (Array.isArray(doc[key]) ? (doc[key] as unknown[]) : []).map((c, i) => {
      const o = asRecord(c);
      const expect = (Array.isArray(o['expect']) ? (o['expect'] as unknown[]) : []).map(parseExpectation);
      const fc: FixtureCase = { name: stringOrUndefined(o['name']) ?? `${key} #${i + 1}`, objects: stringOrUndefined(o['objects']) ?? '', expect };
      if (isRecord(o['meshConfig'])) fc.meshConfig = { ...o['meshConfig'] };
      return fc;
    });
  const f: Fixtures = { valid: cases('valid'), invalid: cases('invalid') };
  if (isRecord(doc['meshConfig'])) f.meshConfig = { ...doc['meshConfig'] };
  return f;
}

function parseExpectation(e: unknown): Expectation {
  if (typeof e === 'string') {
    const m = /^(IST\d{4})\s+(.+?)(?::(\d+))?$/.exec(e.trim());
    if (!m) throw new Error(`bad expectation "${e}": write "IST0101 VirtualService default/reviews[:line]"`);
    const x: Expectation = { code: m[1]!, resource: m[2]! };
    if (m[3] !== undefined) x.line = Number(m[3]);
    return x;
  }
  const o = asRecord(e);
  const x: Expectation = { code: stringOrUndefined(o['code']) ?? '', resource: stringOrUndefined(o['resource']) ?? '' };
  if (typeof o['line'] === 'number') x.line = o['line'];
  if (typeof o['message'] === 'string') x.message = o['message'];
  return x;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Runs one analyzer over its fixtures. Returns one report per case, plus a final "contract" report. */
export function testAnalyzer(analyzer: Analyzer, fixtures: Fixtures): CaseReport[] {
  const reports: CaseReport[] = [];
  const read = new Set<KindId>();
  const produced = new Set<string>();
  const names = new Set<string>();
  const bodies = new Set<string>();
  const contract: string[] = [];

  const all = [...fixtures.valid.map((c) => ({ c, valid: true })), ...fixtures.invalid.map((c) => ({ c, valid: false }))];
  for (const { c, valid } of all) {
    const failures: string[] = [];
    if (names.has(c.name)) contract.push(`two cases are named "${c.name}"`);
    names.add(c.name);
    if (bodies.has(c.objects)) contract.push(`case "${c.name}" repeats the objects of an earlier case`);
    bodies.add(c.objects);
    const parsed = parseManifests(c.objects, { file: 'fixture.yaml', defaultNamespace: 'default' });
    for (const p of parsed.problems) failures.push(`objects do not parse: line ${p.line}: ${p.message}`);
    for (const r of parsed.resources) deepFreeze(r.object);
    const settings: AnalysisSettings = { ...DEFAULT_SETTINGS, meshConfig: { ...fixtures.meshConfig, ...c.meshConfig } };
    let messages: Message[] = [];
    try {
      const result = runAnalyzers({ store: ResourceStore.of(parsed.resources), analyzers: [analyzer], settings, strict: true });
      messages = result.messages;
      for (const k of result.accessed.get(analyzer.meta.name) ?? []) read.add(k);
    } catch (err) {
      failures.push(`analyzer threw: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const m of messages) produced.add(m.code);
    if (valid) {
      if (c.expect.length > 0) failures.push('a valid case must not list expectations');
      for (const m of messages) failures.push(`unexpected finding: ${describe(m)}`);
    } else {
      if (c.expect.length === 0) failures.push('an invalid case must expect at least one finding');
      failures.push(...compare(c.expect, messages));
    }
    reports.push({ name: `${valid ? 'valid' : 'invalid'}: ${c.name}`, failures });
  }

  if (fixtures.valid.length === 0) contract.push('no valid case');
  if (fixtures.invalid.length === 0) contract.push('no invalid case');
  for (const code of analyzer.meta.codes) {
    if (messageType(code) === undefined) contract.push(`meta.codes has ${code}, which is not in the catalog`);
    if (!produced.has(code)) contract.push(`no invalid case produces ${code}`);
  }
  const declared = [...analyzer.meta.inputs].sort();
  const actual = [...read].sort();
  if (declared.join(',') !== actual.join(',')) {
    contract.push(`kinds read [${actual.join(', ')}] differ from meta.inputs [${declared.join(', ')}]`);
  }
  reports.push({ name: 'contract', failures: contract });
  return reports;
}

function describe(m: Message): string {
  return `${m.code} ${friendlyName(m.resource)}${m.origin.line !== undefined ? `:${m.origin.line}` : ''} ${m.text}`;
}

function compare(expected: readonly Expectation[], actual: readonly Message[]): string[] {
  const failures: string[] = [];
  const left = [...actual];
  for (const e of expected) {
    const i = left.findIndex(
      (m) =>
        m.code === e.code &&
        friendlyName(m.resource) === e.resource &&
        (e.line === undefined || m.origin.line === e.line) &&
        (e.message === undefined || m.text === e.message),
    );
    if (i < 0)
      failures.push(`missing finding: ${e.code} ${e.resource}${e.line !== undefined ? `:${e.line}` : ''}${e.message !== undefined ? ` "${e.message}"` : ''}`);
    else left.splice(i, 1);
  }
  for (const m of left) failures.push(`unexpected finding: ${describe(m)}`);
  if (failures.length > 0 && actual.length > 0) failures.push(`(all findings: ${actual.map(describe).join(' | ')})`);
  return failures;
}
