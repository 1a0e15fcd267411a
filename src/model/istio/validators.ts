/**
 * A kind's validate function, compiled by ajv at run time (once per kind, on first use). This is
 * the path on the sources (tests, tsx); the build replaces this module with validators compiled
 * ahead of time from the same schemas and options (validators-codegen.ts), so the bundled CLI
 * neither loads ajv's compiler nor spends a few hundred milliseconds compiling.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { IstioKindSchema } from './schema-types.js';
import { AJV_OPTIONS, DURATION_FORMAT, K8S_KEYWORDS, validatorKey, validatorSchema } from './validator-schema.js';

/** An ajv instance set up as the validator needs it; `code` options for the build's code generation. */
export function validatorAjv(code: Options['code'] = {}): Ajv {
  const ajv = new Ajv({ ...AJV_OPTIONS, code });
  ajv.addVocabulary(K8S_KEYWORDS);
  // ajv-formats is CommonJS: its default export arrives as the module object in some loaders.
  const plugin = addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin } & typeof addFormatsPlugin;
  (plugin.default ?? plugin)(ajv);
  ajv.addFormat('duration', DURATION_FORMAT);
  return ajv;
}

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

export function compiledValidator(k: IstioKindSchema): ValidateFunction {
  const key = validatorKey(k);
  let fn = cache.get(key);
  if (!fn) {
    // Without the optimizer pass, compiling all 15 kinds takes about half the time; validation speed is alike.
    ajv ??= validatorAjv({ optimize: false });
    fn = ajv.compile(validatorSchema(k));
    cache.set(key, fn);
  }
  return fn;
}
