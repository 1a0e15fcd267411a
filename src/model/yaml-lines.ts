/**
 * The line of a field in a YAML document without reading the document into nodes: a scan of the
 * lines (block style) and characters (flow style, JSON) along one path. It answers exactly as
 * `lineOfPath` on the `yaml` package's nodes does (src/model/yaml.ts) for the YAML it understands,
 * and gives up (`undefined` from `fastFieldLine`'s caller's view: the result `GIVE_UP`) on anything
 * else: anchors, aliases, tags, merge keys, complex keys, tabs, CR line ends, keys that are not plain
 * strings, multi-line flow values inside block style, duplicate-looking surprises. The `yaml`
 * package then decides. It is about a hundred times faster than reading the document with the
 * `yaml` package, which matters when many documents have findings.
 *
 * The answer for a path is the line of the deepest part of it that exists: a value on the key's line
 * is on that line; a block collection under a key starts at its first item; an empty value is on the
 * key's line (or the dash's, in a list).
 */

export const GIVE_UP = Symbol('give up');

/** 1-based line (within `text`) of the deepest part of `path` that exists, undefined if none; GIVE_UP to ask the `yaml` package. */
export function fastFieldLine(text: string, path: readonly (string | number)[]): number | undefined | typeof GIVE_UP {
  if (/[\t\r&]|<<|^%|^---|^\.\.\./m.test(text)) return GIVE_UP;
  const s = new Scan(text);
  const first = s.nextContent(0);
  if (first === undefined) return undefined;
  let node: Node | typeof GIVE_UP = s.blockNode(first, s.indentAt(first));
  let line: number | undefined;
  for (const seg of path) {
    if (node === GIVE_UP) return GIVE_UP;
    const child: Node | undefined | typeof GIVE_UP = s.child(node, seg);
    if (child === GIVE_UP) return GIVE_UP;
    if (child === undefined) break;
    line = s.lineOf(child.at);
    node = child;
  }
  return line;
}

type Node =
  /** A block mapping whose keys sit at column `indent`, the first at `at`. */
  | { kind: 'map'; at: number; indent: number }
  /** A block sequence whose dashes sit at column `indent`, the first at `at`. */
  | { kind: 'seq'; at: number; indent: number }
  /** A flow collection (`{` or `[` at `at`). */
  | { kind: 'flow'; at: number }
  /** A scalar or an empty value: nothing below it. */
  | { kind: 'leaf'; at: number };

const SP = 0x20;
const NL = 0x0a;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;

// Plain keys that are certainly strings for the `yaml` package in YAML 1.1 mode (not booleans, null, numbers).
const SAFE_KEY = /^[A-Za-z_$][A-Za-z0-9_./$-]*$/;
const NOT_STRING = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

class Scan {
  private lineStarts: number[] | undefined;
  constructor(private readonly t: string) {}

  lineOf(pos: number): number {
    const starts = (this.lineStarts ??= lineStartsOf(this.t));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private lineEnd(pos: number): number {
    const nl = this.t.indexOf('\n', pos);
    return nl < 0 ? this.t.length : nl;
  }

  private lineStart(pos: number): number {
    return this.t.lastIndexOf('\n', pos - 1) + 1;
  }

  indentAt(pos: number): number {
    return pos - this.lineStart(pos);
  }

  /** The first character of the first line from `from` (a line start) on that is not blank or a comment. */
  nextContent(from: number): number | undefined {
    let pos = from;
    while (pos < this.t.length) {
      let i = pos;
      while (this.t.charCodeAt(i) === SP) i++;
      const c = this.t.charCodeAt(i);
      if (i < this.t.length && c !== NL && c !== HASH) return i;
      const end = this.lineEnd(pos);
      if (end >= this.t.length) return undefined;
      pos = end + 1;
    }
    return undefined;
  }

  /** The node whose first character is at `at` (column `col`) in block context. */
  blockNode(at: number, col: number): Node | typeof GIVE_UP {
    const c = this.t.charCodeAt(at);
    if (c === DASH && this.isSpaceOrEnd(at + 1)) return { kind: 'seq', at, indent: col };
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) return { kind: 'flow', at };
    if (isIndicator(c)) return GIVE_UP;
    if (c === 0x7c /* | */ || c === 0x3e /* > */) return { kind: 'leaf', at };
    const key = this.readKey(at);
    if (key === GIVE_UP) return GIVE_UP;
    if (key !== undefined) return { kind: 'map', at, indent: col };
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) return { kind: 'leaf', at };
    // A plain scalar: one that looks like a key further on (`a b: c` was handled), or text.
    return { kind: 'leaf', at };
  }

  private isSpaceOrEnd(pos: number): boolean {
    const c = this.t.charCodeAt(pos);
    return pos >= this.t.length || c === SP || c === NL;
  }

  /**
   * A block mapping key at `at`: its text and where its value begins (after `:` and spaces);
   * undefined when the line is not a key; GIVE_UP when unsure.
   */
  private readKey(at: number): { key: string; plain: boolean; valueAt: number } | undefined | typeof GIVE_UP {
    const t = this.t;
    const end = this.lineEnd(at);
    const c = t.charCodeAt(at);
    let key: string;
    let after: number;
    let plain = false;
    if (c === 0x22 || c === 0x27) {
      const close = t.indexOf(c === 0x22 ? '"' : "'", at + 1);
      if (close < 0 || close > end) return GIVE_UP; // a multi-line quoted scalar or key
      key = t.slice(at + 1, close);
      if (key.includes('\\') || t.charCodeAt(close + 1) === c) return GIVE_UP; // escapes
      after = close + 1;
      while (t.charCodeAt(after) === SP) after++;
      if (t.charCodeAt(after) !== COLON) return undefined; // a quoted scalar, not a key
      after++;
      if (!this.isSpaceOrEnd(after)) return GIVE_UP;
    } else {
      // Plain: up to the first `: ` or `:` at the end of the line, before any ` #`.
      let i = at;
      let colon = -1;
      while (i < end) {
        const ch = t.charCodeAt(i);
        if (ch === COLON && (i + 1 >= end || t.charCodeAt(i + 1) === SP)) {
          colon = i;
          break;
        }
        if (ch === HASH && i > at && t.charCodeAt(i - 1) === SP) break;
        i++;
      }
      if (colon < 0) return undefined;
      key = t.slice(at, colon).trimEnd();
      if (key === '' || /[{}[\],]/.test(key)) return GIVE_UP;
      after = colon + 1;
      plain = true;
    }
    while (t.charCodeAt(after) === SP) after++;
    return { key, plain, valueAt: after };
  }

  /**
   * The value of a key (or a list item) whose value text begins at `valueAt` on the line of `keyAt`,
   * the key's (or the dash's) column being `col`. Under a key, a list may sit at the key's own column.
   */
  private valueNode(keyAt: number, valueAt: number, col: number, underKey: boolean): Node | typeof GIVE_UP {
    const t = this.t;
    const c = t.charCodeAt(valueAt);
    if (valueAt >= t.length || c === NL || c === HASH) {
      const end = this.lineEnd(valueAt);
      const next = end >= t.length ? undefined : this.nextContent(end + 1);
      if (next !== undefined) {
        const ncol = this.indentAt(next);
        if (ncol > col) return this.blockNode(next, ncol);
        if (underKey && ncol === col && t.charCodeAt(next) === DASH && this.isSpaceOrEnd(next + 1)) return { kind: 'seq', at: next, indent: ncol };
      }
      return { kind: 'leaf', at: keyAt };
    }
    if (isIndicator(c)) return GIVE_UP;
    if (c === 0x7b || c === 0x5b) return { kind: 'flow', at: valueAt };
    return { kind: 'leaf', at: valueAt };
  }

  child(node: Node, seg: string | number): Node | undefined | typeof GIVE_UP {
    switch (node.kind) {
      case 'leaf':
        return undefined;
      case 'map':
        return typeof seg === 'string' ? this.mapChild(node, seg) : GIVE_UP;
      case 'seq':
        return typeof seg === 'number' ? this.seqChild(node, seg) : GIVE_UP;
      case 'flow':
        return this.flowChild(node.at, seg);
    }
  }

  private mapChild(node: { at: number; indent: number }, seg: string): Node | undefined | typeof GIVE_UP {
    const t = this.t;
    let pos: number | undefined = node.at;
    while (pos !== undefined) {
      const col = this.indentAt(pos);
      if (col < node.indent) return undefined;
      if (col === node.indent && !(t.charCodeAt(pos) === DASH && this.isSpaceOrEnd(pos + 1))) {
        const c = t.charCodeAt(pos);
        if (isIndicator(c) || c === 0x7b || c === 0x5b || c === 0x7c || c === 0x3e) return GIVE_UP;
        const key = this.readKey(pos);
        if (key === undefined || key === GIVE_UP) return GIVE_UP;
        const v = t.charCodeAt(key.valueAt);
        if (key.key === seg) {
          if (key.plain && (!SAFE_KEY.test(seg) || NOT_STRING.test(seg))) return GIVE_UP;
          return this.valueNode(pos, key.valueAt, col, true);
        }
        // A value on the key's line that may go on over lines less indented: too unusual to skip.
        if ((v === 0x7b || v === 0x5b || v === 0x22 || v === 0x27) && !this.closesOnLine(key.valueAt)) return GIVE_UP;
      }
      const end = this.lineEnd(pos);
      pos = end >= t.length ? undefined : this.nextContent(end + 1);
    }
    return undefined;
  }

  private seqChild(node: { at: number; indent: number }, index: number): Node | undefined | typeof GIVE_UP {
    const t = this.t;
    let pos: number | undefined = node.at;
    let i = -1;
    while (pos !== undefined) {
      const col = this.indentAt(pos);
      if (col < node.indent) return undefined;
      if (col === node.indent) {
        if (!(t.charCodeAt(pos) === DASH && this.isSpaceOrEnd(pos + 1))) return undefined;
        i++;
        let at = pos + 1;
        while (t.charCodeAt(at) === SP) at++;
        const c = t.charCodeAt(at);
        if (i === index) {
          if (at >= t.length || c === NL || c === HASH) return this.valueNode(pos, at, col, false);
          if (isIndicator(c)) return GIVE_UP;
          return this.blockNode(at, at - this.lineStart(at));
        }
        if ((c === 0x7b || c === 0x5b || c === 0x22 || c === 0x27) && !this.closesOnLine(at)) return GIVE_UP;
      }
      const end = this.lineEnd(pos);
      pos = end >= t.length ? undefined : this.nextContent(end + 1);
    }
    return undefined;
  }

  /** Whether the flow collection or quoted scalar at `at` ends on its own line. */
  private closesOnLine(at: number): boolean {
    const end = this.skipFlowValue(at);
    return end !== GIVE_UP && end <= this.lineEnd(at);
  }

  // ------------------------------------------------------------------------------------------
  // Flow style (and JSON).

  /** Skips spaces, line breaks and comments in flow context. */
  private skipWs(pos: number): number {
    const t = this.t;
    for (;;) {
      const c = t.charCodeAt(pos);
      if (c === SP || c === NL) pos++;
      else if (c === HASH && (pos === 0 || t.charCodeAt(pos - 1) === SP || t.charCodeAt(pos - 1) === NL)) pos = this.lineEnd(pos);
      else return pos;
    }
  }

  /** The end (exclusive) of the flow value at `pos`: a collection, a quoted or a plain scalar. */
  private skipFlowValue(pos: number): number | typeof GIVE_UP {
    const t = this.t;
    const c = t.charCodeAt(pos);
    if (c === 0x22) {
      let i = pos + 1;
      while (i < t.length) {
        const ch = t.charCodeAt(i);
        if (ch === 0x5c /* \ */) i += 2;
        else if (ch === 0x22) return i + 1;
        else i++;
      }
      return GIVE_UP;
    }
    if (c === 0x27) {
      let i = pos + 1;
      while (i < t.length) {
        if (t.charCodeAt(i) === 0x27) {
          if (t.charCodeAt(i + 1) === 0x27) i += 2;
          else return i + 1;
        } else i++;
      }
      return GIVE_UP;
    }
    if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      let i = this.skipWs(pos + 1);
      while (i < t.length) {
        if (t.charCodeAt(i) === close) return i + 1;
        const v = this.skipFlowValue(i);
        if (v === GIVE_UP) return GIVE_UP;
        i = this.skipWs(v);
        const ch = t.charCodeAt(i);
        if (ch === COLON || ch === 0x2c /* , */) i = this.skipWs(i + 1);
        else if (ch !== close) return GIVE_UP;
      }
      return GIVE_UP;
    }
    if (isIndicator(c) || c === 0x7d || c === 0x5d || c === 0x2c || c === 0x7c || c === 0x3e) return GIVE_UP;
    // Plain: up to `,` `]` `}`, `: ` (or `:` before a flow indicator), ` #`, or a line end (multi-line plain scalars give up).
    let i = pos;
    while (i < t.length) {
      const ch = t.charCodeAt(i);
      if (ch === 0x2c || ch === 0x5d || ch === 0x7d) break;
      if (ch === COLON) {
        const n = t.charCodeAt(i + 1);
        if (n === SP || n === NL || n === 0x2c || n === 0x5d || n === 0x7d || i + 1 >= t.length) break;
      }
      if (ch === NL) {
        const next = this.skipWs(i);
        const nc = t.charCodeAt(next);
        if (nc !== 0x2c && nc !== 0x5d && nc !== 0x7d && nc !== COLON) return GIVE_UP;
        break;
      }
      if (ch === HASH && t.charCodeAt(i - 1) === SP) break;
      i++;
    }
    while (i > pos && t.charCodeAt(i - 1) === SP) i--;
    return i;
  }

  /** A flow mapping's value for key `seg`, or a flow sequence's item `seg`. */
  private flowChild(at: number, seg: string | number): Node | undefined | typeof GIVE_UP {
    const t = this.t;
    const isMap = t.charCodeAt(at) === 0x7b;
    if (isMap !== (typeof seg === 'string')) return GIVE_UP;
    const close = isMap ? 0x7d : 0x5d;
    let i = this.skipWs(at + 1);
    let index = 0;
    while (i < t.length) {
      if (t.charCodeAt(i) === close) return undefined;
      const start = i;
      const end = this.skipFlowValue(i);
      if (end === GIVE_UP) return GIVE_UP;
      i = this.skipWs(end);
      if (isMap) {
        if (t.charCodeAt(i) !== COLON) return GIVE_UP; // `{a}`: a key without a value
        const c = t.charCodeAt(start);
        let key: string;
        if (c === 0x22 || c === 0x27) {
          key = t.slice(start + 1, end - 1);
          if (key.includes('\\') || (c === 0x27 && key.includes("'"))) return GIVE_UP;
        } else {
          key = t.slice(start, end);
          if (key === seg && (!SAFE_KEY.test(key) || NOT_STRING.test(key))) return GIVE_UP;
        }
        const v = this.skipWs(i + 1);
        const vc = t.charCodeAt(v);
        if (key === seg) {
          if (vc === 0x2c || vc === close) return GIVE_UP; // an empty value: where the `yaml` package puts it is subtle
          if (isIndicator(vc)) return GIVE_UP;
          return vc === 0x7b || vc === 0x5b ? { kind: 'flow', at: v } : { kind: 'leaf', at: v };
        }
        if (vc === 0x2c || vc === close) {
          i = vc === 0x2c ? this.skipWs(v + 1) : v;
          continue;
        }
        const vend = this.skipFlowValue(v);
        if (vend === GIVE_UP) return GIVE_UP;
        i = this.skipWs(vend);
      } else {
        if (t.charCodeAt(i) === COLON) return GIVE_UP; // `[a: b]`: a single-pair mapping
        if (index === seg) {
          const c = t.charCodeAt(start);
          return c === 0x7b || c === 0x5b ? { kind: 'flow', at: start } : { kind: 'leaf', at: start };
        }
        index++;
      }
      const ch = t.charCodeAt(i);
      if (ch === 0x2c) i = this.skipWs(i + 1);
      else if (ch !== close) return GIVE_UP;
    }
    return GIVE_UP;
  }
}

/** A node that starts with an alias, a tag, a complex key or a reserved character: not for the fast path. */
function isIndicator(c: number): boolean {
  return c === 0x2a /* * */ || c === 0x21 /* ! */ || c === 0x3f /* ? */ || c === 0x40 /* @ */ || c === 0x60 /* ` */ || c === 0x25; /* % */
}

function lineStartsOf(t: string): number[] {
  const starts = [0];
  for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
