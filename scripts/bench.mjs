// `npm run bench`: runs every bench/*.mjs in turn (or those named on the command line).
// Each benchmark prints its own numbers as ratios against a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const benches = (existsSync('bench') ? readdirSync('bench') : [])
  .filter((f) => f.endsWith('.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const b of benches) {
  process.stdout.write(`\n=== bench/${b} ===\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', `bench/${b}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (benches.length === 0) process.stdout.write('no benchmarks found in bench/\n');
process.exit(failed === 0 ? 0 : 1);
