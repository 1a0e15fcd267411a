/**
 * A small schema language for the install input (IstioOperator, Helm values, MeshConfig), as data.
 * The walker in src/render/validate.ts checks a parsed document against it and names the full path
 * of every problem, with a "did you mean" for unknown fields. Kept deliberately tiny: each node is
 * a plain object, so the schema can be walked (for `--set` paths and suggestions) as well as checked.
 */
export type Schema =
  | { readonly t: 'obj'; readonly f: Readonly<Record<string, Schema>> }
  | { readonly t: 'map'; readonly v: Schema }
  | { readonly t: 'list'; readonly i: Schema }
  | { readonly t: 'str'; readonly enum?: readonly string[]; readonly coerce?: boolean; readonly pattern?: RegExp; readonly format?: string }
  | { readonly t: 'int'; readonly min?: number; readonly max?: number }
  | { readonly t: 'num' }
  | { readonly t: 'bool' }
  /** int or string, like Kubernetes IntOrString (maxSurge, targetPort). */
  | { readonly t: 'intstr' }
  /** a Kubernetes resource quantity: a string such as 100m or 2Gi, or a number. */
  | { readonly t: 'quantity' }
  /** free-form: anything goes below this point (not modelled; documented in docs/render.md). */
  | { readonly t: 'any' };

export const obj = (f: Record<string, Schema>): Schema => ({ t: 'obj', f });
export const map = (v: Schema): Schema => ({ t: 'map', v });
export const list = (i: Schema): Schema => ({ t: 'list', i });
export const str: Schema = { t: 'str' };
/** A string field where a YAML number is accepted and turned into a string (tag, versions). */
export const strCoerced: Schema = { t: 'str', coerce: true };
/** A string that must match `pattern`; `format` names it in errors ("a duration such as 10s"). */
export const pattern = (re: RegExp, format: string): Schema => ({ t: 'str', pattern: re, format });
/** A protobuf Duration as YAML writes it: 10s, 1.5s, 500ms, 1m30s, 1h. */
export const duration: Schema = pattern(/^(\d+(\.\d+)?(ns|us|\u00b5s|ms|s|m|h))+$/, 'a duration such as 10s, 500ms or 1m30s');
export const oneOf = (...values: string[]): Schema => ({ t: 'str', enum: values });
export const int: Schema = { t: 'int' };
export const intRange = (min: number, max: number): Schema => ({ t: 'int', min, max });
export const port: Schema = intRange(1, 65535);
export const num: Schema = { t: 'num' };
export const bool: Schema = { t: 'bool' };
export const intstr: Schema = { t: 'intstr' };
export const quantity: Schema = { t: 'quantity' };
export const any: Schema = { t: 'any' };
export const strList: Schema = list(str);
export const strMap: Schema = map(str);

/** Describes what a schema node accepts, for error messages. */
export function describe(s: Schema): string {
  switch (s.t) {
    case 'obj':
      return 'an object';
    case 'map':
      return 'a map';
    case 'list':
      return 'a list';
    case 'str':
      return s.enum ? `one of ${s.enum.join(', ')}` : (s.format ?? 'a string');
    case 'int':
      return s.min !== undefined && s.max !== undefined ? `a whole number from ${s.min} to ${s.max}` : 'a whole number';
    case 'num':
      return 'a number';
    case 'bool':
      return 'true or false';
    case 'intstr':
      return 'a number or a string';
    case 'quantity':
      return 'a quantity such as 100m or 128Mi';
    case 'any':
      return 'anything';
  }
}
