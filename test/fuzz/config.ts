/**
 * Counts and seed of a fuzz run. `MESH_FUZZ_RUNS` is the number of generated analyze documents (the
 * headline count, 100,000 by default); the other targets scale with it. `MESH_FUZZ_SEED` repeats a
 * run (every run prints its seed). `node scripts/run-tests.mjs --fuzz --runs N --seed S` sets both.
 */
export const DEFAULT_RUNS = 100_000;

function intEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`${name}: expected a whole number, got "${v}"`);
  return Number(v);
}

export const RUNS = intEnv('MESH_FUZZ_RUNS') ?? DEFAULT_RUNS;
// CI runs one fixed seed, so that its verdict does not depend on the draw; elsewhere each run draws one.
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
export const SEED = intEnv('MESH_FUZZ_SEED') ?? (CI ? 20261202 : Math.floor(Math.random() * 2 ** 31));
const scale = RUNS / DEFAULT_RUNS;
/** A target's share of the run: `base` cases at the default count, at least `min`. */
export const share = (base: number, min = 1): number => Math.max(min, Math.round(base * scale));

/** Counts of what ran, for the one-line summary. */
export const counts: Record<string, number> = {};
export const count = (what: string, n = 1): void => void (counts[what] = (counts[what] ?? 0) + n);

/** The command that repeats this run. */
export const reproduce = (): string => `node scripts/run-tests.mjs --fuzz --runs ${RUNS} --seed ${SEED}`;
