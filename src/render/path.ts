/**
 * The path syntax of `--set` and of `k8s.overlays[].patches[].path`, as istioctl users know it:
 * dot-separated keys, `\.` for a literal dot (annotation keys), `[0]` for a list index (also written
 * `.[0]`), and `[name:value]` to select the list element whose `name` is `value`.
 */
import { excerpt } from '../errors.js';
import type { Json, JsonObject } from '../model/install.js';
import { isObject } from './merge.js';

export type Segment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'select'; key: string; value: string };

export class PathError extends Error {}

export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  let key = '';
  let haveKey = false;
  const flush = (): void => {
    if (haveKey) {
      if (key === '') throw new PathError(`empty key in path "${excerpt(path)}"`);
      out.push({ kind: 'key', key });
    }
    key = '';
    haveKey = false;
  };
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '.') {
      key += '.';
      haveKey = true;
      i++;
    } else if (c === '.') {
      if (!haveKey && (out.length === 0 || path[i - 1] === '.')) throw new PathError(`empty key in path "${excerpt(path)}"`);
      flush();
    } else if (c === '[' && !haveKey) {
      const end = path.indexOf(']', i);
      if (end < 0) throw new PathError(`unclosed "[" in path "${excerpt(path)}"`);
      out.push(parseBracket(path.slice(i + 1, end), path));
      i = end;
      if (i + 1 < path.length && path[i + 1] !== '.' && path[i + 1] !== '[') throw new PathError(`expected "." after "]" in path "${excerpt(path)}"`);
    } else if (c === '[') {
      flush();
      i--; // re-read the bracket as a segment of its own
    } else {
      key += c;
      haveKey = true;
    }
  }
  if (path.endsWith('.')) throw new PathError(`path "${excerpt(path)}" ends with "."`);
  flush();
  if (out.length === 0) throw new PathError('empty path');
  return out;
}

function parseBracket(inner: string, path: string): Segment {
  if (/^\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const colon = inner.indexOf(':');
  if (colon > 0) return { kind: 'select', key: inner.slice(0, colon), value: inner.slice(colon + 1) };
  throw new PathError(`bad list selector "[${excerpt(inner)}]" in path "${excerpt(path)}" (use [0] or [name:value])`);
}

/** `spec.components.ingressGateways[name:istio-ingressgateway].k8s` — how errors show a path. */
export function formatPath(segments: readonly Segment[]): string {
  let s = '';
  for (const seg of segments) {
    if (seg.kind === 'key') s += (s === '' ? '' : '.') + seg.key.replaceAll('.', '\\.');
    else if (seg.kind === 'index') s += `[${seg.index}]`;
    else s += `[${seg.key}:${seg.value}]`;
  }
  return s;
}

/**
 * Types a `--set` value the way istioctl does: integer, then float, then bool, then string.
 * `\,` becomes a comma. Callers keep strings for paths that are always strings (tag, proxyMetadata).
 */
export function typedValue(raw: string): Json {
  const v = raw.replaceAll('\\,', ',');
  if (/^[-+]?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  // A number too large for a double (1e400) stays the text it was, so errors show it as given.
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(v)) return Number.isFinite(Number(v)) ? Number(v) : v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

function findSelected(list: Json[], seg: { key: string; value: string }): number {
  return list.findIndex((e) => isObject(e) && Object.hasOwn(e, seg.key) && String(e[seg.key]) === seg.value);
}

/** Own properties only: a path through `constructor` or `__proto__` never reaches Object.prototype. */
const own = (o: JsonObject, k: string): Json | undefined => (Object.hasOwn(o, k) ? o[k] : undefined);
const put = (o: JsonObject, k: string, v: Json): void => {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
};

/**
 * Sets `value` at `segments` inside `root` (mutating it), creating maps along the way. A list index
 * one past the end appends; further past the end it appends too, or with `pastEnd: 'error'` (as
 * `--set` uses it, like istioctl) it is an error. A `[key:value]` selector must match an existing element.
 */
export function setAt(root: JsonObject, segments: readonly Segment[], value: Json | undefined, options: { pastEnd?: 'append' | 'error' } = {}): void {
  let node: Json = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    const next = segments[i + 1];
    const fresh = (): Json => (next !== undefined && next.kind !== 'key' ? [] : {});
    const where = formatPath(segments.slice(0, i + 1));
    if (seg.kind === 'key') {
      if (!isObject(node)) throw new PathError(`cannot set "${where}": "${formatPath(segments.slice(0, i))}" is not a map`);
      if (last) {
        if (value === undefined) delete node[seg.key];
        else put(node, seg.key, value);
        return;
      }
      const child: Json | undefined = own(node, seg.key);
      if (child === undefined || child === null || typeof child !== 'object') put(node, seg.key, fresh());
      node = own(node, seg.key)!;
    } else {
      if (!Array.isArray(node)) throw new PathError(`cannot set "${where}": "${formatPath(segments.slice(0, i))}" is not a list`);
      let idx: number;
      if (seg.kind === 'index') {
        if (seg.index > node.length && options.pastEnd === 'error') {
          const list = formatPath(segments.slice(0, i));
          throw new PathError(
            `"${excerpt(list, 120)}" has ${node.length} element${node.length === 1 ? '' : 's'}, so [${seg.index}] is past its end; [${node.length}] adds one`,
          );
        }
        idx = Math.min(seg.index, node.length);
        if (idx === node.length && !last) node.push(fresh());
      } else {
        idx = findSelected(node, seg);
        if (idx < 0) throw new PathError(`element [${seg.key}:${seg.value}] not found at "${formatPath(segments.slice(0, i))}"`);
      }
      if (last) {
        if (value === undefined) node.splice(idx, 1);
        else node[idx] = value;
        return;
      }
      const child: Json | undefined = node[idx];
      if (child === undefined || child === null || typeof child !== 'object') node[idx] = fresh();
      node = node[idx]!;
    }
  }
}

/** Reads the value at `segments`, or undefined. */
export function getAt(root: Json | undefined, segments: readonly Segment[]): Json | undefined {
  let node: Json | undefined = root;
  for (const seg of segments) {
    if (node === undefined || node === null) return undefined;
    if (seg.kind === 'key') node = isObject(node) ? own(node, seg.key) : undefined;
    else if (!Array.isArray(node)) return undefined;
    else if (seg.kind === 'index') node = node[seg.index];
    else node = node[findSelected(node, seg)];
  }
  return node;
}
