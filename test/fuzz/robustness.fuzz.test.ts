/**
 * The fuzz suite (issue 11): mesh on generated and mutated input must never crash, never print a
 * stack trace, and answer every bad input with one line naming the file, path or flag (exit 65 for
 * a file, 64 for a flag). Counts scale with MESH_FUZZ_RUNS; MESH_FUZZ_SEED repeats a run. The last
 * line printed is the one-line summary: seed, counts, crashes.
 *
 *   npm run test:fuzz                                  the bounded run CI does (part of npm test)
 *   node scripts/run-tests.mjs --fuzz --runs 1000000   ten times more
 *   node scripts/run-tests.mjs --fuzz --seed 1234      repeat a run
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { analyzeCli, analyzeCliOutcome, analyzeCore } from './analyze.js';
import { RUNS, SEED, count, counts, reproduce, share } from './config.js';
import { type Generated, WRONG_VALUES, analyzeSeeds, billionLaughs, documents, emit, hostile, iopSeeds, pathsOf, replaceAt } from './gen.js';
import { violation } from './harness.js';
import { builtCli, runBin } from './subprocess.js';
import { kubeconfigCase, kubeconfigSeed } from './kubeconfig.js';
import { iopFileCli, profileCli, profileNames, setCli, setFlags } from './install.js';

let dir = '';
const started = Date.now();
/** Distinct violations seen (shrinking repeats one many times). */
const failures = new Set<string>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-fuzz-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  const parts = Object.entries(counts).map(([k, v]) => `${k}=${v}`);
  const total = Object.entries(counts)
    .filter(([k]) => !k.startsWith('subprocess'))
    .reduce((n, [, v]) => n + v, 0);
  process.stdout.write(
    `fuzz: seed=${SEED} runs=${RUNS} ${parts.join(' ')} total=${total} crashes=${failures.size} in ${((Date.now() - started) / 1000).toFixed(1)}s; repeat with: ${reproduce()}\n`,
  );
});

/** fast-check options for a target: the run's seed (offset per target), `numRuns` cases. */
const opts = <T extends unknown[]>(offset: number, numRuns: number): fc.Parameters<T> => ({
  seed: SEED + offset,
  numRuns,
  endOnFailure: false,
  includeErrorInReport: true,
});

/** Throws on a violation (fast-check then shrinks the case and reports the smallest it found). */
function fail(v: string | undefined): void {
  if (v === undefined) return;
  failures.add(v.split('\n')[0]!);
  assert.fail(`${v}\nrepeat with: ${reproduce()}`);
}

const seeds = analyzeSeeds();

// Shares of the analyze documents at the default 100,000 (they scale with MESH_FUZZ_RUNS): every
// path of every seed with a wrong value, fully analysed; generated documents fully analysed; the
// in-process CLI; and the rest read (parsed, objects built, problems checked) without analysers.
const CLI_DOCS = share(2_000, 50);
const FULL_DOCS = share(4_000, 50);

test('analyze: a wrong type at every path of every seed document', () => {
  // Every path of every seed; each path gets one of the wrong values in turn (more of them when
  // MESH_FUZZ_RUNS is larger), so across the paths every kind of wrong value is used.
  const perPath = Math.min(WRONG_VALUES.length, Math.max(1, Math.floor(RUNS / 100_000)));
  let n = 0;
  for (const doc of seeds) {
    for (const path of pathsOf(doc)) {
      for (let j = 0; j < perPath; j++) {
        const value = WRONG_VALUES[(n + j * 7 + SEED) % WRONG_VALUES.length];
        const changed = replaceAt(doc, path, value);
        const text = n % 2 === 0 ? (JSON.stringify(changed) ?? 'null') : emit(changed);
        fail(analyzeCore({ how: `${JSON.stringify(path)} = ${JSON.stringify(value)?.slice(0, 80)}`, bytes: Buffer.from(text) }));
        count('analyze.paths');
      }
      n++;
    }
  }
});

test('analyze: generated and mutated documents, fully analysed', () => {
  fc.assert(
    fc.property(documents(seeds), (g) => {
      count('analyze.full');
      fail(analyzeCore(g));
    }),
    opts(1, FULL_DOCS),
  );
});

test('analyze: generated and mutated documents, read', () => {
  const n = Math.max(50, share(100_000) - (counts['analyze.paths'] ?? 0) - FULL_DOCS - CLI_DOCS);
  fc.assert(
    fc.property(documents(seeds), (g) => {
      count('analyze.read');
      fail(analyzeCore(g, { parseOnly: true }));
    }),
    opts(2, n),
  );
});

test('analyze: hostile documents (bombs, deep, huge, binary), also through the CLI', async () => {
  for (const g of hostile()) {
    const t0 = Date.now();
    fail(await analyzeCli(g, dir, 0));
    count('analyze.hostile');
    const ms = Date.now() - t0;
    assert.ok(ms < 30_000, `${g.how} took ${ms} ms`);
  }
});

test('analyze: a billion-laughs document is refused, not expanded (memory stays bounded)', async () => {
  const g: Generated = { how: 'billion laughs, 9 levels', bytes: Buffer.from(billionLaughs(9)) };
  const before = process.memoryUsage().heapUsed;
  const o = await analyzeCliOutcome(g, dir);
  const grew = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  assert.equal(o.code, 65, o.stderr);
  assert.match(o.stderr, /^Error: cannot parse .*case\.yaml:\d+: .*YAML bomb/m);
  assert.ok(grew < 64, `the heap grew by ${grew.toFixed(0)} MiB on a YAML bomb`);
  count('analyze.bomb');
});

test('analyze: generated documents through the CLI (exit code, one line naming the file)', async () => {
  let i = 0;
  await fc.assert(
    fc.asyncProperty(documents(seeds), async (g) => {
      count('analyze.cli');
      fail(await analyzeCli(g, dir, i++));
    }),
    opts(3, CLI_DOCS),
  );
});

const iops = iopSeeds();

test('install: a wrong type at every path of every IstioOperator seed (-f)', async () => {
  let n = 0;
  for (const doc of iops) {
    for (const path of pathsOf(doc)) {
      const value = WRONG_VALUES[(n++ + SEED) % WRONG_VALUES.length];
      fail(
        await iopFileCli(
          { how: `${JSON.stringify(path)} = ${JSON.stringify(value)?.slice(0, 80)}`, bytes: Buffer.from(emit(replaceAt(doc, path, value))) },
          dir,
        ),
      );
      count('install.paths');
    }
  }
});

test('install: generated and mutated IstioOperator files (-f)', async () => {
  await fc.assert(
    fc.asyncProperty(documents(iops), async (g) => {
      count('install.files');
      fail(await iopFileCli(g, dir));
    }),
    opts(4, share(1_000, 30)),
  );
});

test('install: hostile IstioOperator files (-f)', async () => {
  // The small ones (the large ones end at the same parser the analyze test above gives them to).
  for (const g of hostile().filter((h) => h.bytes.length < 200_000)) {
    fail(await iopFileCli(g, dir));
    count('install.hostile');
  }
});

test('install: --set path=value', async () => {
  await fc.assert(
    fc.asyncProperty(setFlags(), async (sets) => {
      count('install.sets');
      fail(await setCli(sets, dir));
    }),
    opts(5, share(2_000, 50)),
  );
});

test('install: --profile', async () => {
  writeFileSync(join(dir, 'bomb.yaml'), billionLaughs(9));
  writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x1b, 0x5b]));
  writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
  writeFileSync(join(dir, 'wrong.yaml'), 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: { hub: [1] }\n');
  for (const p of ['bomb.yaml', 'binary.yaml', 'list.yaml', 'wrong.yaml', dir]) fail(await profileCli(join(dir, p), dir));
  await fc.assert(
    fc.asyncProperty(profileNames, async (p) => {
      count('install.profiles');
      fail(await profileCli(p, dir));
    }),
    opts(6, share(300, 20)),
  );
});

test('kubeconfig: generated and mutated kubeconfig files', async () => {
  const kseeds = [kubeconfigSeed];
  for (const g of hostile()) fail(await kubeconfigCase(g, dir, true));
  let i = 0;
  await fc.assert(
    fc.asyncProperty(documents(kseeds), async (g) => {
      count('kubeconfig');
      fail(await kubeconfigCase(g, dir, i++ % 5 === 0));
    }),
    opts(7, share(2_000, 50)),
  );
});

test('bin/mesh end to end: exit codes and one-line errors (child processes)', async (t) => {
  if (!builtCli()) return assert.fail('dist/cli.js is missing: run npm run build first (npm run test:fuzz does)');
  const file = (name: string, bytes: string | Buffer): string => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const bomb = file('bomb.yaml', billionLaughs(9));
  const binary = file('binary.yaml', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)));
  const shadow = file('shadow', 'root:$6$salt$secrethash:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n');
  const cases: { argv: string[]; codes: number[]; names: string[]; stdin?: string }[] = [
    { argv: ['analyze', '--use-kube=false', bomb], codes: [65], names: [bomb] },
    { argv: ['analyze', '--use-kube=false', '-'], codes: [65], names: ['-:'], stdin: billionLaughs(9) },
    { argv: ['analyze', '--use-kube=false', binary], codes: [65], names: [binary] },
    { argv: ['analyze', '--use-kube=false', '-o', 'json', shadow], codes: [65], names: [shadow] },
    { argv: ['analyze', '-k', '--kubeconfig', binary], codes: [65], names: [binary] },
    { argv: ['manifest', 'generate', '-f', bomb], codes: [65], names: [bomb] },
    { argv: ['manifest', 'generate', '-f', shadow], codes: [65], names: [shadow] },
    { argv: ['manifest', 'generate', '-f', binary], codes: [65], names: [binary] },
    { argv: ['manifest', 'generate', '--profile', bomb], codes: [65], names: [bomb] },
    { argv: ['manifest', 'generate', '--set', 'components.pilot.k8s.replicaCount=1e400'], codes: [64], names: ['--set'] },
    { argv: ['manifest', 'generate', '--set', 'components.pilot.k8s.replicaCount=99999999999999999999999'], codes: [64], names: ['--set'] },
    { argv: ['manifest', 'generate', '--set', 'components.ingressGateways[99].enabled=true'], codes: [64], names: ['--set'] },
    { argv: ['manifest', 'generate', '--set', 'values.global.hub=a\nb\u001b[2J'], codes: [64], names: ['--set'] },
    { argv: ['manifest', 'generate', '--set', `profile=${'x'.repeat(10_000)}`], codes: [64], names: ['--set'] },
  ];
  // And a few generated documents, so the child process sees the fuzzed input too.
  for (const g of fc.sample(documents(seeds), { numRuns: share(10, 5), seed: SEED + 8 })) {
    cases.push({ argv: ['analyze', '--use-kube=false', '-o', 'json', '-'], codes: [0, 65, 79], names: ['-:'], stdin: g.bytes.toString('latin1') });
  }
  for (const c of cases) {
    await t.test(c.argv.join(' ').slice(0, 100), () => {
      const o = runBin(c.argv, { cwd: dir, ...(c.stdin !== undefined ? { stdin: c.stdin } : {}) });
      count('subprocess');
      fail(violation(o, { codes: c.codes, names: c.names }));
      assert.doesNotMatch(o.stderr, /secrethash|daemon/, 'file content echoed');
    });
  }
});
