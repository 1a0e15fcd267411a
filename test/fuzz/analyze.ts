/**
 * `mesh analyze` on generated documents, two ways:
 * - the core path the CLI runs for each file (parseManifests → runAnalyzers → every printer), for
 *   the bulk of the documents: cheap, so most of the 100,000 go here;
 * - the in-process CLI (`analyze --use-kube=false FILE`), for fewer documents, which checks the exit
 *   code and the one-line error naming the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYZERS } from '../../src/analyze/analyzers/index.js';
import { ANALYZE_FORMATS, formatMessages } from '../../src/analyze/format.js';
import { parseManifests } from '../../src/analyze/load.js';
import { runAnalyzers } from '../../src/analyze/runner.js';
import { ResourceStore } from '../../src/analyze/store.js';
import { type Generated } from './gen.js';
import { type Outcome, runMesh, violation } from './harness.js';

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/**
 * The core path for one file's text; returns a violation or undefined. `parseOnly` stops after
 * reading the objects (the stage where most hostile input ends), which is several times cheaper.
 */
export function analyzeCore(g: Generated, options: { parseOnly?: boolean } = {}): string | undefined {
  const file = 'case.yaml';
  const text = g.bytes.toString('utf8'); // as readSources decodes a file
  let parsed;
  try {
    parsed = parseManifests(text, { file, defaultNamespace: 'default' });
  } catch (err) {
    return `parseManifests threw (${g.how}): ${(err as Error).stack}`;
  }
  for (const p of parsed.problems) {
    const line = `${p.file}:${p.line}: ${p.message}`;
    if (line.includes('\n') || CONTROL.test(line)) return `a problem that is not one printable line (${g.how}): ${JSON.stringify(line.slice(0, 300))}`;
    if (line.length > 300) return `a problem line of ${line.length} characters (${g.how}): ${JSON.stringify(line.slice(0, 300))}…`;
    if (!Number.isInteger(p.line) || p.line < 1) return `a problem without a line (${g.how}): ${line}`;
  }
  if (options.parseOnly === true) return undefined;
  let result;
  try {
    result = runAnalyzers({ store: ResourceStore.of(parsed.resources), analyzers: ANALYZERS });
  } catch (err) {
    return `runAnalyzers threw (${g.how}): ${(err as Error).stack}`;
  }
  const internal = result.messages.find((m) => m.code === 'IST0001');
  if (internal) return `an analyzer failed (${g.how}): ${internal.text.slice(0, 2000)}`;
  try {
    for (const f of ANALYZE_FORMATS) formatMessages(result.messages, f, { istioMinor: '1.31', toolVersion: '0.0.0' });
  } catch (err) {
    return `a printer threw (${g.how}): ${(err as Error).stack}`;
  }
  return undefined;
}

const FLAG_SETS: readonly (readonly string[])[] = [
  ['-o', 'json'],
  ['-o', 'json'],
  ['-o', 'log'],
  ['-o', 'yaml'],
  ['-o', 'sarif'],
  ['-o', 'json', '--ignore-unknown'],
];

/** `mesh analyze --use-kube=false FLAGS FILE` in-process, FILE holding the document. */
export async function analyzeCliOutcome(g: Generated, dir: string, variant = 0): Promise<Outcome & { file: string; flags: readonly string[] }> {
  const name = ['case.yaml', 'case.json', 'case.yml', 'case.txt'][variant % 4]!;
  const file = join(dir, name);
  writeFileSync(file, g.bytes);
  const flags = FLAG_SETS[variant % FLAG_SETS.length]!;
  return { ...(await runMesh(['analyze', '--use-kube=false', ...flags, file], { cwd: dir })), file, flags };
}

/** The in-process CLI on one file holding the document; returns a violation or undefined. */
export async function analyzeCli(g: Generated, dir: string, variant: number): Promise<string | undefined> {
  const o = await analyzeCliOutcome(g, dir, variant);
  const { file, flags } = o;
  const ignoring = flags.includes('--ignore-unknown');
  const v = violation(o, { codes: ignoring ? [0, 79] : [0, 65, 79], names: [file] });
  return v === undefined ? undefined : `${v}\n(${g.how}; flags ${flags.join(' ')})`;
}
