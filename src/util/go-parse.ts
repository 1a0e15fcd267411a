/**
 * Go's parsers for the scalar values Istio reads from annotations, as error text: undefined when Go
 * accepts the value, else the message Go's error prints (strconv.ParseBool, strconv.ParseUint,
 * netip.ParsePrefix). The sidecar injector puts these messages into its errors, and istioctl's IST0125
 * prints them, so `mesh analyze` reports the same text. Written from the behaviour of Go's standard
 * library, checked against istioctl's output (test/e2e/analyze-oracle.e2e.test.ts and the unit test).
 */

/** strconv.Quote for the common case: printable ASCII; other characters escaped as JSON does. */
function quote(s: string): string {
  return JSON.stringify(s);
}

const BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool(s). */
export function parseBoolError(s: string): string | undefined {
  return BOOLS.has(s) ? undefined : `strconv.ParseBool: parsing ${quote(s)}: invalid syntax`;
}

/** strconv.ParseUint(s, 10, bits). */
export function parseUintError(s: string, bits: 8 | 16 | 32 | 64): string | undefined {
  if (!/^[0-9]+$/.test(s)) return `strconv.ParseUint: parsing ${quote(s)}: invalid syntax`;
  if (BigInt(s) >= 1n << BigInt(bits)) return `strconv.ParseUint: parsing ${quote(s)}: value out of range`;
  return undefined;
}

/** netip.ParsePrefix(s). */
export function parsePrefixError(s: string): string | undefined {
  const fail = (msg: string): string => `netip.ParsePrefix(${quote(s)}): ${msg}`;
  const slash = s.lastIndexOf('/');
  if (slash < 0) return fail("no '/'");
  const addr = s.slice(0, slash);
  const parsed = parseAddr(addr);
  if (typeof parsed === 'string') return fail(parsed);
  if (parsed.zone) return fail('IPv6 zones cannot be present in a prefix');
  const bitsText = s.slice(slash + 1);
  // Go takes only plain decimal: no sign, no leading zero (but "0" itself).
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) return fail(`bad bits after slash: ${quote(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > (parsed.v6 ? 128 : 32)) return fail('prefix length out of range');
  return undefined;
}

/** netip.ParseAddr(s): what it parsed, or its error text. */
function parseAddr(s: string): { v6: boolean; zone: boolean } | string {
  const fail = (msg: string, at?: string): string => `ParseAddr(${quote(s)}): ${msg}${at !== undefined ? ` (at ${quote(at)})` : ''}`;
  for (const c of s) {
    if (c === '.') {
      const err = ipv4Error(s);
      return err === undefined ? { v6: false, zone: false } : fail(err.msg, err.at);
    }
    if (c === ':') {
      const err = ipv6Error(s);
      return err === undefined ? { v6: true, zone: s.includes('%') } : fail(err.msg, err.at);
    }
    if (c === '%') return fail('missing IPv6 address');
  }
  return fail('unable to parse IP');
}

interface AddrError {
  msg: string;
  at?: string;
}

/** Dotted-quad IPv4, Go's rules (no leading zeros, four fields of 0..255). */
function ipv4Error(s: string): AddrError | undefined {
  let value = 0;
  let digits = 0;
  let fields = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return { msg: 'IPv4 field has octet with leading zero' };
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) return { msg: 'IPv4 field has value >255' };
    } else if (s[i] === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return { msg: 'IPv4 field must have at least one digit', at: s.slice(i) };
      if (fields === 3) return { msg: 'IPv4 address too long' };
      fields++;
      value = 0;
      digits = 0;
    } else {
      return { msg: 'unexpected character', at: s.slice(i) };
    }
  }
  if (fields < 3) return { msg: 'IPv4 address too short' };
  return undefined;
}

/** IPv6 with an optional zone and an optional embedded IPv4 tail, Go's rules and messages. */
function ipv6Error(input: string): AddrError | undefined {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return { msg: 'zone must be a non-empty string' };
    s = s.slice(0, pct);
  }
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return undefined;
  }
  let filled = 0; // bytes of the 16
  while (filled < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const c = s[off]!;
      const hex = /[0-9a-fA-F]/.test(c) ? parseInt(c, 16) : -1;
      if (hex < 0) break;
      acc = acc * 16 + hex;
      if (off > 3) return { msg: 'each group must have 4 or less digits', at: s };
      if (acc > 0xffff) return { msg: 'IPv6 field has value >=2^16', at: s };
    }
    if (off === 0) return { msg: 'each colon-separated field must have at least one digit', at: s };
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && filled !== 12) return { msg: 'embedded IPv4 address must replace the final 2 fields of the address', at: s };
      if (filled + 4 > 16) return { msg: 'too many hex fields to fit an embedded IPv4 at the end of the address', at: s };
      const err = ipv4Error(s);
      if (err) return err;
      s = '';
      filled += 4;
      break;
    }
    filled += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') return { msg: 'unexpected character, want colon', at: s };
    if (s.length === 1) return { msg: 'colon must be followed by more characters', at: s };
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return { msg: 'multiple :: in address', at: s };
      ellipsis = filled;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return { msg: 'trailing garbage after address', at: s };
  if (filled < 16) {
    if (ellipsis < 0) return { msg: 'address string too short' };
  } else if (ellipsis >= 0) {
    return { msg: 'the :: must expand to at least one field of zeros' };
  }
  return undefined;
}
