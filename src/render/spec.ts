/**
 * Inputs → one validated IstioOperator. Lowest to highest precedence: the default profile, the
 * chosen profile, `-f` files (left to right), `--set` flags (in order), then `-r/--revision`.
 * Problems in files are InputErrors (exit 65) naming the file; problems in flags are UsageErrors
 * (exit 64) naming the flag.
 */
import { stringOrUndefined } from '../util/narrow.js';
import { InputError, UsageError, didYouMean, excerpt } from '../errors.js';
import type { IstioOperator, Json, JsonObject } from '../model/install.js';
import { type Schema } from '../model/install-schema-dsl.js';
import { istioOperator, istioOperatorSpec } from '../model/install-schema.js';
import { isDns1123Label } from '../model/names.js';
import { parseKubeYaml } from '../model/yaml.js';
import { asObject, isObject, overlay } from './merge.js';
import { PathError, type Segment, formatPath, getAt, parsePath, setAt, typedValue } from './path.js';
import { type Issue, check, schemaAt } from './validate.js';

export interface SourceText {
  /** Shown in errors: a file path, `<stdin>`, or `profile X`. */
  name: string;
  text: string;
}

export interface RenderInput {
  /** The built-in profiles' YAML, keyed by profile name; must include `default`. */
  profiles: Readonly<Record<string, string>>;
  /** `--profile`: a built-in name, or a file path whose text is in `profileFiles`. */
  profile?: string;
  /** Texts of profiles given as file paths (by `--profile`, `--set profile=` or `spec.profile`). */
  profileFiles?: Readonly<Record<string, string>>;
  /** `-f` files, left to right. */
  files?: readonly SourceText[];
  /** `--set path=value`, in order. */
  sets?: readonly string[];
  /** `-r/--revision`. */
  revision?: string;
}

export interface ComposedSpec {
  iop: IstioOperator;
  profile: string;
  /** An error about `spec.<segments>`, reported against the flag or file that set it. */
  blame: (segments: Segment[], message: string, where?: string) => Error;
}

interface ParsedSet {
  flag: string;
  segments: Segment[];
  value: Json;
}

/** Parses one IstioOperator document from YAML text (YAML 1.1, as Kubernetes reads it). */
export function parseIstioOperator(src: SourceText): JsonObject {
  const found: JsonObject[] = [];
  for (const doc of parseKubeYaml(src.text)) {
    // A file that does not parse names the line; one whose aliases cannot be expanded (a YAML bomb), the file.
    if (doc.error?.kind === 'syntax') throw new InputError(`${src.name}:${doc.error.line}: invalid YAML: ${doc.error.message}`);
    if (doc.error) throw new InputError(`${src.name}: ${doc.error.message}`);
    const v = doc.value;
    if (v === null || v === undefined) continue;
    if (!isObject(v)) throw new InputError(`${src.name}: expected an IstioOperator (a map), got ${Array.isArray(v) ? 'a list' : typeof v}`);
    found.push(v);
  }
  if (found.length > 1) throw new InputError(`${src.name}: contains ${found.length} IstioOperator documents; only one per file is supported`);
  const iop = found[0] ?? {};
  // Not an IstioOperator at all (another kind of file given by mistake): say so, without listing its
  // content as unknown fields.
  if (found[0] !== undefined && Object.keys(iop).length > 0 && !['apiVersion', 'kind', 'metadata', 'spec'].some((k) => Object.hasOwn(iop, k))) {
    const n = Object.keys(iop).length;
    throw new InputError(
      `${src.name}: not an IstioOperator: a map of ${n} key${n === 1 ? '' : 's'}, none of them apiVersion, kind, metadata or spec (expected apiVersion: install.istio.io/v1alpha1, kind: IstioOperator, spec: …)`,
    );
  }
  if (iop['kind'] !== undefined && iop['kind'] !== 'IstioOperator') {
    throw new InputError(`${src.name}: kind is "${excerpt(String(iop['kind']))}", expected IstioOperator (apiVersion install.istio.io/v1alpha1)`);
  }
  return iop;
}

/** Checks a document against the IstioOperator schema; all problems are reported together. */
export function validateIstioOperator(doc: JsonObject, where: string, errorType: 'input' | 'usage' = 'input'): JsonObject {
  const issues: Issue[] = [];
  const out = check(doc, istioOperator, '', issues) as JsonObject;
  if (issues.length > 0) throw issuesError(where, issues, errorType);
  return out;
}

function issuesError(where: string, issues: Issue[], type: 'input' | 'usage'): Error {
  const [first, ...rest] = issues;
  const message = `${where}: ${first!.message}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`;
  const details = rest.slice(0, 20).map((i) => i.message);
  return type === 'input' ? new InputError(message, { details }) : new UsageError(message, { details });
}

/** Which schema node a `--set` path addresses, for typing its value. */
function parseSet(flag: string): ParsedSet {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${excerpt(flag, 120)}: expected path=value, e.g. --set values.pilot.traceSampling=0.1`);
  const rawPath = flag.slice(0, eq);
  const raw = flag.slice(eq + 1);
  let segments: Segment[];
  try {
    segments = parsePath(rawPath);
  } catch (e) {
    throw new UsageError(`--set ${excerpt(flag, 120)}: ${(e as Error).message}`);
  }
  if (segments[0]?.kind === 'key' && segments[0].key === 'spec') segments = segments.slice(1);
  const lookup = schemaAt(istioOperatorSpec, segments);
  if (!lookup.ok) throw new UsageError(`--set ${excerpt(flag, 120)}: ${lookup.message}`);
  const value = typedFor(lookup.schema, segments, raw);
  const issues: Issue[] = [];
  const checked = check(value, lookup.schema, formatPath(segments), issues);
  if (issues.length > 0) throw new UsageError(`--set ${excerpt(flag, 120)}: ${issues[0]!.message}`);
  return { flag, segments, value: checked };
}

/** istioctl's typing (int, float, bool, string), except where the schema wants a string. */
function typedFor(schema: Schema, segments: readonly Segment[], raw: string): Json {
  const alwaysString =
    schema.t === 'str' ||
    segments.some((s) => s.kind === 'key' && s.key === 'proxyMetadata') ||
    (segments.length === 1 && segments[0]?.kind === 'key' && (segments[0].key === 'tag' || segments[0].key === 'compatibilityVersion'));
  return alwaysString ? raw.replaceAll('\\,', ',') : typedValue(raw);
}

export function composeSpec(input: RenderInput): ComposedSpec {
  const defaultText = input.profiles['default'];
  if (defaultText === undefined) throw new Error('render: the built-in "default" profile is missing from input.profiles');

  const files = (input.files ?? []).map((f) => ({ name: f.name, doc: validateIstioOperator(parseIstioOperator(f), f.name) }));
  const sets = (input.sets ?? []).map(parseSet);

  const profile = chooseProfile(input, files, sets);
  const base = validateIstioOperator(parseIstioOperator({ name: 'profile default', text: defaultText }), 'profile default');
  let merged = base;
  if (profile.name !== 'default') {
    const doc = validateIstioOperator(parseIstioOperator({ name: profile.where, text: profile.text }), profile.where);
    merged = overlay(merged, doc) as JsonObject;
  }
  for (const f of files) merged = overlay(merged, f.doc) as JsonObject;

  const spec: JsonObject = asObject(merged['spec']);
  merged['spec'] = spec;
  for (const s of sets) {
    try {
      setAt(spec, s.segments, s.value, { pastEnd: 'error' });
    } catch (e) {
      if (e instanceof PathError) throw new UsageError(`--set ${excerpt(s.flag, 120)}: ${e.message}`);
      throw e;
    }
  }
  spec['profile'] = profile.name;
  if (input.revision !== undefined) spec['revision'] = input.revision;

  // The merged document is checked once more (a set may have produced a list element that is
  // incomplete); then the rules that span fields.
  const checked = validateIstioOperator(merged, 'merged configuration');
  unsetNullComponentFields(checked);
  semanticChecks(checked, { input, files, sets });
  return { iop: checked, profile: profile.name, blame: (segments, message, where) => originError(segments, message, { input, files, sets }, where) };
}

/**
 * A null under spec.components (`k8s: null`, `k8s.env: null` in an IstioOperator file) is an unset
 * field, as istioctl reads the IstioOperator; the renderer then never meets a null where it expects
 * a settings object or a list. (spec.values keeps its nulls: there they delete a default, as Helm does.)
 */
function unsetNullComponentFields(iop: unknown): void {
  const unsetNulls = (o: unknown): void => {
    if (!isObject(o)) return;
    for (const [k, v] of Object.entries(o)) if (v === null) delete o[k];
  };
  const spec = isObject(iop) ? iop['spec'] : undefined;
  const components = isObject(spec) ? spec['components'] : undefined;
  if (!isObject(components)) return;
  unsetNulls(components);
  for (const c of Object.values(components)) {
    for (const entry of Array.isArray(c) ? c : [c]) {
      unsetNulls(entry);
      if (isObject(entry)) unsetNulls(entry['k8s']);
    }
  }
}

function chooseProfile(input: RenderInput, files: { name: string; doc: JsonObject }[], sets: ParsedSet[]): { name: string; text: string; where: string } {
  let name: string | undefined = input.profile;
  let origin: 'flag' | 'set' | 'file' = 'flag';
  let originName = '--profile';
  if (name === undefined) {
    const s = [...sets].reverse().find((x) => x.segments.length === 1 && x.segments[0]?.kind === 'key' && x.segments[0].key === 'profile');
    if (s && typeof s.value === 'string') {
      name = s.value;
      origin = 'set';
      originName = `--set ${excerpt(s.flag, 120)}`;
    }
  }
  if (name === undefined) {
    for (const f of [...files].reverse()) {
      const p = getAt(f.doc, [
        { kind: 'key', key: 'spec' },
        { kind: 'key', key: 'profile' },
      ]);
      if (typeof p === 'string') {
        name = p;
        origin = 'file';
        originName = f.name;
        break;
      }
    }
  }
  name ??= 'default';
  // Own keys only: `--profile constructor` is an unknown profile, not Object's constructor.
  const builtin = Object.hasOwn(input.profiles, name) ? input.profiles[name] : undefined;
  if (builtin !== undefined) return { name, text: builtin, where: `profile ${name}` };
  const fromFile = input.profileFiles !== undefined && Object.hasOwn(input.profileFiles, name) ? input.profileFiles[name] : undefined;
  if (fromFile !== undefined) return { name, text: fromFile, where: name };
  const msg = `${originName}: unknown profile "${excerpt(name)}"${didYouMean(name, Object.keys(input.profiles))} (built-in profiles: ${Object.keys(input.profiles).sort().join(', ')}; or give a file path)`;
  throw origin === 'file' ? new InputError(msg) : new UsageError(msg);
}

/** Where a value came from, so a bad one is reported against the flag or file that set it. */
function originError(
  segments: Segment[],
  message: string,
  ctx: { input: RenderInput; files: { name: string; doc: JsonObject }[]; sets: ParsedSet[] },
  /** The full place of the problem, when more precise than `segments` (which only find its origin). */
  where?: string,
): Error {
  if (where !== undefined) {
    const inFile = (name: string): string => `${name}: spec.${where}: ${message}`;
    const e = originError(segments, message, ctx);
    if (e instanceof UsageError) return new UsageError(`${e.message.slice(0, e.message.length - message.length)}${where}: ${message}`);
    const file = [...ctx.files].reverse().find((f) => e.message.startsWith(`${f.name}: `));
    return new InputError(file ? inFile(file.name) : `${where}: ${message}`);
  }
  const path = formatPath(segments);
  if (path === 'namespace') {
    for (const f of [...ctx.files].reverse()) {
      if (
        getAt(f.doc, [{ kind: 'key', key: 'spec' }, ...segments]) === undefined &&
        getAt(f.doc, [{ kind: 'key', key: 'metadata' }, ...segments]) !== undefined
      ) {
        return new InputError(`${f.name}: metadata.namespace: ${message}`);
      }
    }
  }
  if (path === 'revision' && ctx.input.revision !== undefined) return new UsageError(`-r/--revision ${excerpt(ctx.input.revision)}: ${message}`);
  const prefix = (a: Segment[], b: Segment[]): boolean => a.length <= b.length && a.every((s, i) => formatPath([s]) === formatPath([b[i]!]));
  const set = [...ctx.sets].reverse().find((s) => prefix(s.segments, segments) || prefix(segments, s.segments));
  if (set) return new UsageError(`--set ${excerpt(set.flag, 120)}: ${message}`);
  for (const f of [...ctx.files].reverse()) {
    if (getAt(f.doc, [{ kind: 'key', key: 'spec' }, ...segments]) !== undefined) return new InputError(`${f.name}: spec.${path}: ${message}`);
  }
  // A field no input set, in a list element a --set made (`--set components.ingressGateways[1].enabled=true`
  // adds a gateway without a name): the flag is at fault, not the profile.
  const element = (s: Segment[]): number => {
    let n = 0;
    while (n < s.length && n < segments.length && formatPath([s[n]!]) === formatPath([segments[n]!])) n++;
    return n > 0 && s[n - 1]!.kind !== 'key' ? n : 0;
  };
  const maker = [...ctx.sets].reverse().find((s) => element(s.segments) > 0);
  if (maker) return new UsageError(`--set ${excerpt(maker.flag, 120)}: ${message}`);
  for (const f of [...ctx.files].reverse()) {
    // The same for a list element a file wrote.
    for (let n = segments.length - 1; n > 0; n--) {
      if (segments[n - 1]!.kind !== 'key' && getAt(f.doc, [{ kind: 'key', key: 'spec' }, ...segments.slice(0, n)]) !== undefined) {
        return new InputError(`${f.name}: spec.${path}: ${message}`);
      }
    }
  }
  return new InputError(`profile ${ctx.input.profile ?? 'default'}: spec.${path}: ${message}`);
}

const IMAGE_REPO = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
// A registry host may have upper-case letters, but only a first component that is one — with a ".",
// a port, or localhost — is a host; otherwise it is a path component, which must be lower-case
// (as the container runtime parses image references: "UPPER/x" is refused, "My.Registry/x" is not).
const IMAGE_REPO_HOST =
  /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?=:))(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const GATEWAY_NAME = /^[a-z0-9]([a-z0-9.-]{0,252}[a-z0-9])?$/;

export function isCidr(s: string): boolean {
  const [addr, bits, ...rest] = s.split('/');
  if (rest.length > 0 || addr === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) return addr.split('.').every((o) => Number(o) <= 255) && Number(bits) <= 32;
  return /^[0-9a-fA-F:]+$/.test(addr) && addr.includes(':') && (addr.match(/::/g) ?? []).length <= 1 && Number(bits) <= 128;
}

export const isImageRepo = (s: string): boolean => s.length <= 255 && (IMAGE_REPO.test(s) || IMAGE_REPO_HOST.test(s));
export const isImageTag = (s: string): boolean => IMAGE_TAG.test(s);

function semanticChecks(iop: IstioOperator, ctx: { input: RenderInput; files: { name: string; doc: JsonObject }[]; sets: ParsedSet[] }): void {
  const spec = iop.spec ?? {};
  const k = (...keys: (string | number)[]): Segment[] => keys.map((x) => (typeof x === 'number' ? { kind: 'index', index: x } : { kind: 'key', key: x }));
  // Only strings are checked: a YAML null is an unset field (as istioctl reads it), never a value to check.
  const revision = stringOrUndefined(spec.revision);
  if (revision !== undefined && revision !== '' && !isDns1123Label(revision)) {
    throw originError(
      k('revision'),
      `invalid revision "${excerpt(revision)}": must be a DNS-1123 label (lower-case letters, digits and "-", at most 63; e.g. 1-31-1, canary)`,
      ctx,
    );
  }
  const hubOk = (path: Segment[], value: unknown): void => {
    const hub = stringOrUndefined(value);
    if (hub !== undefined && hub !== '' && !isImageRepo(hub)) {
      throw originError(path, `invalid hub "${excerpt(hub)}": not a valid image repository (e.g. registry.istio.io/release)`, ctx);
    }
  };
  const tagOk = (path: Segment[], value: unknown): void => {
    const tag = stringOrUndefined(value);
    if (tag !== undefined && tag !== '' && !isImageTag(tag)) {
      throw originError(
        path,
        `invalid tag "${excerpt(tag)}": an image tag is letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"`,
        ctx,
      );
    }
  };
  if (spec.hub === '')
    throw originError(k('hub'), 'invalid hub "": an image repository is needed (e.g. registry.istio.io/release); leave hub out for the default', ctx);
  hubOk(k('hub'), spec.hub);
  tagOk(k('tag'), spec.tag);
  const gv = asObject(spec.values?.['global']);
  hubOk(k('values', 'global', 'hub'), typeof gv['hub'] === 'string' ? gv['hub'] : undefined);
  tagOk(k('values', 'global', 'tag'), typeof gv['tag'] === 'string' ? gv['tag'] : undefined);
  const comps = spec.components ?? {};
  for (const c of ['base', 'pilot', 'cni', 'ztunnel', 'istiodRemote'] as const) {
    hubOk(k('components', c, 'hub'), comps[c]?.hub);
    tagOk(k('components', c, 'tag'), comps[c]?.tag);
    const ns = stringOrUndefined(comps[c]?.namespace);
    if (ns !== undefined && !isDns1123Label(ns))
      throw originError(k('components', c, 'namespace'), `invalid namespace "${excerpt(ns)}": must be a DNS-1123 label`, ctx);
  }
  const ns = stringOrUndefined(spec.namespace) ?? stringOrUndefined(iop.metadata?.namespace);
  if (ns !== undefined && !isDns1123Label(ns)) throw originError(k('namespace'), `invalid namespace "${excerpt(ns)}": must be a DNS-1123 label`, ctx);

  const values = spec.values ?? {};
  const proxy = asObject(gv['proxy']);
  for (const key of ['includeIPRanges', 'excludeIPRanges']) {
    const v = proxy[key];
    if (typeof v !== 'string' || v === '' || v === '*') continue;
    const bad = v
      .split(',')
      .map((x) => x.trim())
      .find((x) => !isCidr(x));
    if (bad !== undefined) throw originError(k('values', 'global', 'proxy', key), `"${excerpt(bad)}" is not a CIDR (e.g. 10.0.0.0/8, fd00::/8) or *`, ctx);
  }
  for (const key of ['includeInboundPorts', 'excludeInboundPorts', 'excludeOutboundPorts', 'includeOutboundPorts']) {
    const v = proxy[key];
    if (typeof v !== 'string' || v === '' || v === '*') continue;
    const bad = v
      .split(',')
      .map((x) => x.trim())
      .find((x) => !/^\d{1,5}$/.test(x) || Number(x) > 65535);
    if (bad !== undefined)
      throw originError(k('values', 'global', 'proxy', key), `"${excerpt(bad)}" is not a port (0-65535); use a comma-separated list or *`, ctx);
  }
  if (spec.compatibilityVersion !== undefined) {
    const minor = Number(spec.compatibilityVersion.split('.')[1]);
    if (!(minor >= 25 && minor <= 30)) {
      throw originError(
        k('compatibilityVersion'),
        `compatibilityVersion "${excerpt(spec.compatibilityVersion)}" is not supported (1.25 to 1.30; quote it in YAML: "1.30", not 1.30)`,
        ctx,
      );
    }
  }
  for (const list of ['ingressGateways', 'egressGateways'] as const) {
    const seen = new Set<string>();
    (comps[list] ?? []).forEach((gw, i) => {
      const path = k('components', list, i);
      const name = stringOrUndefined(gw.name);
      if (name === undefined || name === '') throw originError([...path, ...k('name')], `gateway ${list}[${i}] has no name`, ctx);
      if (!GATEWAY_NAME.test(name)) {
        throw originError([...path, ...k('name')], `invalid gateway name "${excerpt(name)}": use lower-case letters, digits, "." and "-" (at most 254)`, ctx);
      }
      if (seen.has(name)) throw originError([...path, ...k('name')], `gateway name "${name}" is used twice in ${list}`, ctx);
      seen.add(name);
      hubOk([...path, ...k('hub')], gw.hub);
      tagOk([...path, ...k('tag')], gw.tag);
      const gwNs = stringOrUndefined(gw.namespace);
      if (gwNs !== undefined && !isDns1123Label(gwNs)) {
        throw originError([...path, ...k('namespace')], `invalid namespace "${excerpt(gwNs)}": must be a DNS-1123 label`, ctx);
      }
      // Ports below 1024 need root in the gateway pod unless the chart value says so.
      const gwValues = isObject(values['gateways']) ? values['gateways'][name] : undefined;
      const runAsRoot = isObject(gwValues) && gwValues['runAsRoot'] === true;
      const ports = (gw.k8s?.service?.['ports'] as Json[] | undefined) ?? [];
      ports.forEach((p, j) => {
        if (isObject(p) && typeof p['targetPort'] === 'number' && p['targetPort'] < 1024 && !runAsRoot) {
          throw originError(
            [...path, ...k('k8s', 'service', 'ports', j, 'targetPort')],
            `targetPort ${p['targetPort']} is below 1024, which needs root; use a port >= 1024 or set values.gateways.${gw.name}.runAsRoot=true`,
            ctx,
          );
        }
      });
    });
  }
  for (const gwName of ['istio-ingressgateway', 'istio-egressgateway']) {
    const gwValues = isObject(values['gateways']) ? values['gateways'][gwName] : undefined;
    if (!isObject(gwValues) || gwValues['runAsRoot'] === true || !Array.isArray(gwValues['ports'])) continue;
    gwValues['ports'].forEach((p, j) => {
      if (isObject(p) && typeof p['targetPort'] === 'number' && p['targetPort'] < 1024) {
        throw originError(
          k('values', 'gateways', gwName, 'ports', j, 'targetPort'),
          `targetPort ${p['targetPort']} is below 1024, which needs root; use a port >= 1024 or set values.gateways.${gwName}.runAsRoot=true`,
          ctx,
        );
      }
    });
  }
}

/** Names of fields one level below `path` in the IstioOperator schema (for `profile dump --config-path`). */
export function suggestConfigPath(path: string): string {
  const segs = path.split('.');
  const known = schemaAt(
    istioOperator,
    segs.map((key) => ({ kind: 'key', key })),
  );
  if (known.ok) return '';
  return known.message;
}
