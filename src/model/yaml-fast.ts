/**
 * A fast reader for the plain YAML most manifests are written in, used by yaml.ts before js-yaml:
 * block mappings and sequences, one-line flow collections (`{ a: b }`, `[a, b]`), one-line plain and
 * quoted scalars, comments. Anything else (block scalars, multi-line scalars or flow collections,
 * anchors, aliases, tags, escapes, tabs, CR, complex or unusual keys, a key that would resolve to a
 * non-string, a top level that is not a mapping) gives NOT_PLAIN, and yaml.ts reads the document the
 * usual way, so this reader only has to be right on what it accepts: there it gives what js-yaml with
 * yaml.ts's schema gives (plain scalars resolved by the same function, a repeated key keeps its last
 * value in its first place).
 */

/** The document is not in the subset this reader handles. */
export const NOT_PLAIN: unique symbol = Symbol('not plain YAML');

class NotPlain extends Error {}
const NOT = new NotPlain();

// js-yaml refuses these characters anywhere in the stream.
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
/** Plain keys already checked (manifests repeat the same few hundred). */
const GOOD_KEYS = new Set<string>();

interface Line {
  indent: number;
  /** Offset of the first non-space character. */
  start: number;
  /** Offset of the line's end (its newline or the text's end). */
  end: number;
}

/**
 * The value of a one-document text, or NOT_PLAIN. `plain` resolves a plain scalar (null, a boolean, a
 * number), returning `notScalar` for a string.
 */
export function readPlainYaml(text: string, plain: (s: string) => unknown, notScalar: unknown): unknown {
  if (text.includes('\t') || text.includes('\r') || NON_PRINTABLE.test(text)) return NOT_PLAIN;
  const lines: Line[] = [];
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let i = pos;
    while (i < nl && text.charCodeAt(i) === 0x20) i++;
    if (i < nl && text.charCodeAt(i) !== 0x23 /* # */) lines.push({ indent: i - pos, start: i, end: nl });
    pos = nl + 1;
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return NOT_PLAIN;
  const r = new Reader(text, lines, plain, notScalar);
  try {
    if (r.isSeqItem(lines[0]!)) return NOT_PLAIN;
    const value = r.map(0);
    if (r.li !== lines.length) return NOT_PLAIN;
    return value;
  } catch (e) {
    if (e instanceof NotPlain) return NOT_PLAIN;
    throw e;
  }
}

/** Deeper nesting is left to the other readers (which bound it in their own way). */
const MAX_DEPTH = 64;

class Reader {
  li = 0;
  /** Where the last quoted scalar, flow collection or flow value read ended (one past it). */
  private at = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly lines: Line[],
    private readonly plain: (s: string) => unknown,
    private readonly notScalar: unknown,
  ) {}

  isSeqItem(line: Line): boolean {
    if (this.text.charCodeAt(line.start) !== 0x2d /* - */) return false;
    const next = line.start + 1;
    return next >= line.end || this.text.charCodeAt(next) === 0x20;
  }

  private block(indent: number): unknown {
    return this.isSeqItem(this.lines[this.li]!) ? this.seq(indent) : this.map(indent);
  }

  /** The value of a key with nothing after its colon: a nested block, a sequence at the same indent, or null. */
  private nested(indent: number): unknown {
    const next = this.lines[this.li];
    if (next === undefined) return null;
    if (next.indent > indent) return this.block(next.indent);
    if (next.indent === indent && this.isSeqItem(next)) return this.seq(indent);
    return null;
  }

  map(indent: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) throw NOT;
    const out: Record<string, unknown> = {};
    const text = this.text;
    while (this.li < this.lines.length) {
      const line = this.lines[this.li]!;
      if (line.indent !== indent) {
        if (line.indent > indent) throw NOT;
        break;
      }
      let key: string;
      let p: number;
      const c = text.charCodeAt(line.start);
      if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
        key = this.quoted(line.start, line.end);
        p = this.at;
        if (text.charCodeAt(p) !== 0x3a /* : */) throw NOT;
      } else {
        p = line.start;
        for (;;) {
          p = text.indexOf(':', p);
          if (p < 0 || p >= line.end) throw NOT;
          if (p + 1 === line.end || text.charCodeAt(p + 1) === 0x20) break;
          p++;
        }
        key = text.slice(line.start, p);
        this.plainKey(key);
      }
      if (key === '__proto__') throw NOT;
      p++; // the colon
      while (p < line.end && text.charCodeAt(p) === 0x20) p++;
      this.li++;
      let value: unknown;
      if (p >= line.end || (text.charCodeAt(p) === 0x23 && text.charCodeAt(p - 1) === 0x20)) {
        value = this.nested(indent);
      } else {
        if (p === line.start + key.length + 1) throw NOT; // `key:value`
        value = this.inline(p, line.end);
        const next = this.lines[this.li];
        if (next !== undefined && next.indent > indent) throw NOT;
      }
      out[key] = value;
    }
    this.depth--;
    return out;
  }

  private seq(indent: number): unknown[] {
    if (++this.depth > MAX_DEPTH) throw NOT;
    const out: unknown[] = [];
    const text = this.text;
    while (this.li < this.lines.length) {
      const line = this.lines[this.li]!;
      if (line.indent !== indent || !this.isSeqItem(line)) {
        if (line.indent > indent) throw NOT;
        break;
      }
      let p = line.start + 1;
      while (p < line.end && text.charCodeAt(p) === 0x20) p++;
      if (p >= line.end || text.charCodeAt(p) === 0x23 /* # */) throw NOT; // `-` alone
      const col = indent + (p - line.start);
      const c = text.charCodeAt(p);
      if (c === 0x2d /* - */ && (p + 1 >= line.end || text.charCodeAt(p + 1) === 0x20)) throw NOT; // `- - x`
      if (c !== 0x22 && c !== 0x27 && c !== 0x5b && c !== 0x7b && this.startsKey(p, line.end)) {
        // `- key: value`: a mapping whose first line starts after the dash.
        this.lines[this.li] = { indent: col, start: p, end: line.end };
        out.push(this.map(col));
      } else {
        this.li++;
        out.push(this.inline(p, line.end));
        const next = this.lines[this.li];
        if (next !== undefined && next.indent > indent) throw NOT;
      }
    }
    this.depth--;
    return out;
  }

  /** Whether a plain scalar from p has `: ` or a final `:` before any comment. */
  private startsKey(p: number, end: number): boolean {
    const text = this.text;
    for (let i = p; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x3a && (i + 1 === end || text.charCodeAt(i + 1) === 0x20)) return true;
      if (c === 0x23 && text.charCodeAt(i - 1) === 0x20) return false;
    }
    return false;
  }

  /** A value that fills the rest of a line (from p, not a space, to end): a scalar or a flow collection, then maybe a comment. */
  private inline(p: number, end: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(p);
    let value: unknown;
    let after: number;
    if (c === 0x22 || c === 0x27) {
      value = this.quoted(p, end);
      after = this.at;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      value = this.flow(p, end);
      after = this.at;
    } else {
      this.plainStart(p, end);
      let e = end;
      for (let i = p; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 0x3a && (i + 1 === end || text.charCodeAt(i + 1) === 0x20)) throw NOT;
        if (ch === 0x23 && text.charCodeAt(i - 1) === 0x20) {
          e = i;
          break;
        }
      }
      while (e > p && text.charCodeAt(e - 1) === 0x20) e--;
      return this.scalar(text.slice(p, e));
    }
    while (after < end && text.charCodeAt(after) === 0x20) after++;
    if (after < end && !(text.charCodeAt(after) === 0x23 && text.charCodeAt(after - 1) === 0x20)) throw NOT;
    return value;
  }

  private scalar(s: string): unknown {
    const v = this.plain(s);
    return v === this.notScalar ? s : v;
  }

  /** Refuses a plain scalar that starts with an indicator. */
  private plainStart(p: number, end: number): void {
    const c = this.text[p]!;
    if ('?:,[]{}#&*!|>\'"%@`'.includes(c)) throw NOT;
    if (c === '-' && (p + 1 >= end || this.text.charCodeAt(p + 1) === 0x20)) throw NOT;
  }

  /** A one-line quoted scalar from p (its opening quote): its value; `at` is set to the offset after its closing quote. */
  private quoted(p: number, end: number): string {
    const text = this.text;
    const q = text[p]!;
    if (q === '"') {
      const close = text.indexOf('"', p + 1);
      if (close < 0 || close >= end) throw NOT;
      const s = text.slice(p + 1, close);
      if (s.includes('\\')) throw NOT;
      this.at = close + 1;
      return s;
    }
    let out = '';
    let i = p + 1;
    for (;;) {
      const close = text.indexOf("'", i);
      if (close < 0 || close >= end) throw NOT;
      out += text.slice(i, close);
      if (text.charCodeAt(close + 1) === 0x27) {
        out += "'";
        i = close + 2;
        continue;
      }
      this.at = close + 1;
      return out;
    }
  }

  /** A flow collection on one line from p (its bracket): its value; `at` is set to the offset after its closing bracket. */
  private flow(p: number, end: number): unknown {
    const text = this.text;
    if (++this.depth > MAX_DEPTH) throw NOT;
    const open = text.charCodeAt(p);
    const close = open === 0x5b ? 0x5d : 0x7d;
    let i = this.skip(p + 1, end);
    if (text.charCodeAt(i) === close) {
      this.depth--;
      this.at = i + 1;
      return open === 0x5b ? [] : {};
    }
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    for (;;) {
      if (i >= end) throw NOT;
      if (open === 0x7b) {
        let key: string;
        const c = text.charCodeAt(i);
        if (c === 0x22 || c === 0x27) {
          key = this.quoted(i, end);
          i = this.at;
        } else {
          let k = i;
          while (k < end && text.charCodeAt(k) !== 0x3a && text.charCodeAt(k) !== 0x2c && text.charCodeAt(k) !== 0x7d && text.charCodeAt(k) !== 0x20) k++;
          key = text.slice(i, k);
          this.plainKey(key);
          i = k;
        }
        if (key === '__proto__' || text.charCodeAt(i) !== 0x3a || text.charCodeAt(i + 1) !== 0x20) throw NOT;
        map[key] = this.flowValue(this.skip(i + 1, end), end);
        i = this.at;
      } else {
        list.push(this.flowValue(i, end));
        i = this.at;
      }
      i = this.skip(i, end);
      const c = text.charCodeAt(i);
      if (c === close) {
        this.depth--;
        this.at = i + 1;
        return open === 0x5b ? list : map;
      }
      if (c !== 0x2c /* , */) throw NOT;
      i = this.skip(i + 1, end);
      if (text.charCodeAt(i) === close || text.charCodeAt(i) === 0x2c) throw NOT; // a trailing or empty entry
    }
  }

  private skip(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === 0x20) i++;
    return i;
  }

  /** A key that reads as a string the same in every reader: a plain name, not null, a boolean or a number. */
  private plainKey(key: string): void {
    if (GOOD_KEYS.has(key)) return;
    if (key.length > 1000 || key === '__proto__' || !PLAIN_KEY.test(key) || this.plain(key) !== this.notScalar) throw NOT;
    if (GOOD_KEYS.size < 10_000) GOOD_KEYS.add(key);
  }

  /** A value inside a flow collection from p; `at` is set to the offset after it. */
  private flowValue(p: number, end: number): unknown {
    const text = this.text;
    if (p >= end) throw NOT;
    const c = text.charCodeAt(p);
    if (c === 0x22 || c === 0x27) return this.quoted(p, end);
    if (c === 0x5b || c === 0x7b) return this.flow(p, end);
    this.plainStart(p, end);
    let e = p;
    for (; e < end; e++) {
      const ch = text.charCodeAt(e);
      if (ch === 0x2c || ch === 0x5d || ch === 0x7d) break;
      if (ch === 0x5b || ch === 0x7b || ch === 0x23) throw NOT;
      if (ch === 0x3a && (e + 1 === end || ' ,]}'.includes(text[e + 1]!))) throw NOT;
    }
    if (e >= end) throw NOT;
    let t = e;
    while (t > p && text.charCodeAt(t - 1) === 0x20) t--;
    this.at = e;
    return this.scalar(text.slice(p, t));
  }
}
