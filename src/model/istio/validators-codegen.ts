/**
 * Build-time code generation: every kind's validator compiled by ajv into a module of plain
 * functions (ajv "standalone" code), with the schemas and options the run-time compiler uses
 * (validators.ts). scripts/build.mjs bundles that module in place of validators.ts, so the CLI
 * checks objects exactly as the sources do, without compiling schemas when it starts.
 */
import { _ } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { ISTIO_KIND_SCHEMAS } from './crds.js';
import { validatorKey, validatorSchema } from './validator-schema.js';
import { validatorAjv } from './validators.js';

/**
 * The source of an ES module with the same export as validators.ts (`compiledValidator`). It
 * imports the formats from `formatsModule` (a path or URL of formats.ts), and ajv's run-time helpers
 * as `resolve` maps their specifiers (by default as they are, for a module inside the project).
 */
export function precompiledValidatorsModule(formatsModule: string, resolve: (specifier: string) => string = (s) => s): string {
  const ajv = validatorAjv({ source: true, esm: true, formats: _`__meshFormats` });
  const exportsByName: Record<string, string> = {};
  const keys: [string, string][] = [];
  ISTIO_KIND_SCHEMAS.forEach((k, i) => {
    ajv.addSchema(validatorSchema(k), `kind${i}`);
    exportsByName[`validateKind${i}`] = `kind${i}`;
    keys.push([validatorKey(k), `validateKind${i}`]);
  });
  // ajv is CommonJS: the default import is its module.exports, which carries the function as `default`.
  const generate = standalone.default;
  // ajv's code requires its run-time helpers (CommonJS); an ES module imports them.
  const imports = new Map<string, string>();
  const code = generate(ajv, exportsByName).replace(/require\("([^"]+)"\)/g, (_m, spec: string) => {
    let name = imports.get(spec);
    if (name === undefined) imports.set(spec, (name = `__ajvRuntime${imports.size}`));
    return name;
  });
  return [
    '// Generated at build time by src/model/istio/validators-codegen.ts: do not edit.',
    `import { MESH_FORMATS as __meshFormats } from ${JSON.stringify(formatsModule)};`,
    ...[...imports].map(([spec, name]) => `import ${name} from ${JSON.stringify(resolve(spec.endsWith('.js') ? spec : `${spec}.js`))};`),
    code.replace(/^"use strict";/, ''),
    `const BY_KEY = new Map([${keys.map(([key, name]) => `[${JSON.stringify(key)}, ${name}]`).join(', ')}]);`,
    'export function compiledValidator(k) {',
    '  const fn = BY_KEY.get(`${k.group}/${k.kind}`);',
    '  if (fn === undefined) throw new Error(`no precompiled validator for ${k.group}/${k.kind}`);',
    '  return fn;',
    '}',
    '',
  ].join('\n');
}
