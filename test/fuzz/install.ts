/**
 * Install input: `manifest generate` (the render path `install` shares) with generated `-f`
 * IstioOperator files, `--set path=value` flags and `--profile` values, in-process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Schema } from '../../src/model/install-schema-dsl.js';
import { istioOperatorSpec } from '../../src/model/install-schema.js';
import type { Generated } from './gen.js';
import { runMesh, violation } from './harness.js';

/** `mesh manifest generate -f FILE` with FILE holding the document. */
export async function iopFileCli(g: Generated, dir: string, extra: readonly string[] = []): Promise<string | undefined> {
  const file = join(dir, 'iop.yaml');
  writeFileSync(file, g.bytes);
  const o = await runMesh(['manifest', 'generate', '-f', file, ...extra], { cwd: dir });
  // 64: the file names a profile file that does not exist (reported against the file).
  const v = violation(o, { codes: [0, 64, 65], names: [file] });
  return v === undefined ? undefined : `${v}\n(${g.how})`;
}

/** `mesh manifest generate --set S...`. */
export async function setCli(sets: readonly string[], dir: string): Promise<string | undefined> {
  const o = await runMesh(['manifest', 'generate', ...sets.flatMap((s) => ['--set', s])], { cwd: dir });
  // 65: a k8s overlay a --set wrote does not apply to the rendered objects; that error names the
  // overlay's path (components.X.k8s.overlays[i]), not the flag (render does not know which flag wrote it).
  const overlay = o.code === 65 && o.stderr.startsWith('Error: components.') && o.stderr.includes('.k8s.overlays[');
  const v = violation(o, { codes: overlay ? [65] : [0, 64], names: ['--set', 'components.'] });
  return v === undefined ? undefined : `${v}\n(--set ${sets.join(' --set ')})`;
}

/** `mesh manifest generate --profile P`. */
export async function profileCli(profile: string, dir: string): Promise<string | undefined> {
  const o = await runMesh(['manifest', 'generate', '--profile', profile], { cwd: dir });
  const v = violation(o, { codes: [0, 64, 65], names: ['--profile', 'profile', profile] });
  return v === undefined ? undefined : `${v}\n(--profile ${JSON.stringify(profile)})`;
}

/** Paths of the IstioOperator spec schema, as `--set` writes them (lists get an index). */
export function schemaPaths(limit = 5000): string[] {
  const out: string[] = [];
  const walk = (s: Schema, p: string, depth: number): void => {
    if (out.length >= limit || depth > 8) return;
    if (p !== '') out.push(p);
    if (s.t === 'obj') for (const [k, c] of Object.entries(s.f)) walk(c, p === '' ? k : `${p}.${k}`, depth + 1);
    else if (s.t === 'map') walk(s.v, `${p}.somekey`, depth + 1);
    else if (s.t === 'list') walk(s.i, `${p}[0]`, depth + 1);
  };
  walk(istioOperatorSpec, '', 0);
  return out;
}

const SET_VALUES = [
  '',
  '0',
  '1',
  '-1',
  '2',
  '1.5',
  '1e400',
  '-1e400',
  '99999999999999999999999',
  '0x10',
  '1_000',
  'true',
  'false',
  'null',
  '~',
  'yes',
  '[1,2]',
  '{a: b}',
  'a\\,b',
  'a,b',
  '*',
  '10.0.0.0/8',
  'registry.istio.io/release',
  '1.31.1',
  'canary',
  'REGISTRY_ONLY',
  '100m',
  '128Mi',
  '1m30s',
  'x'.repeat(300),
  '\u0000',
  '\u001b[31m',
  'a\nb',
  '日本',
  '=',
  '==',
  '-',
  '.',
  '\\.',
];

const pathMutation = fc.oneof(
  fc.constantFrom(
    '',
    '.',
    '..',
    '[',
    ']',
    '[0]',
    '[99]',
    '[-1]',
    '[name:x]',
    '[name:]',
    '[:x]',
    '\\.',
    '\\',
    '.[0]',
    '[0][0]',
    '__proto__',
    'constructor',
    'spec.',
    '=',
  ),
  fc.string({ maxLength: 6 }),
);

/** `path=value` flags: schema paths (often mutated) with awkward values. */
export function setFlags(): fc.Arbitrary<string[]> {
  const paths = schemaPaths();
  const one = fc
    .tuple(
      fc.constantFrom(...paths),
      fc.array(fc.tuple(fc.nat(), pathMutation), { maxLength: 2 }),
      fc.oneof(fc.constantFrom(...SET_VALUES), fc.string({ maxLength: 12 })),
      fc.boolean(),
    )
    .map(([p, muts, v, prefix]) => {
      let path = p;
      for (const [at, m] of muts) {
        const i = at % (path.length + 1);
        path = path.slice(0, i) + m + path.slice(i);
      }
      return `${prefix ? 'spec.' : ''}${path}=${v}`;
    });
  return fc.array(fc.oneof({ weight: 8, arbitrary: one }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }), { minLength: 1, maxLength: 3 });
}

export const profileNames = fc.oneof(
  fc.constantFrom(
    'default',
    'demo',
    'minimal',
    'empty',
    'ambient',
    'remote',
    'Demo',
    'dem',
    'constructor',
    '__proto__',
    'toString',
    '',
    ' ',
    '-',
    '.',
    '..',
    '/',
    '/etc',
    '/nonexistent/p.yaml',
    'p.yaml',
    '\u0000',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 12 }),
);
