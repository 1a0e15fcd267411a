/**
 * The protobuf wire format, as much of it as mesh needs to speak xDS debug requests to istiod and
 * to read the API server's protobuf pod lists: varints, length-delimited fields, a reader that
 * walks a message's fields without allocating for the ones it skips (ProtoReader). Pure.
 * (A generated protobuf library would bring the whole Envoy and Kubernetes APIs; mesh reads a few messages.)
 */

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE.LEN);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    if (value === '') return this;
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  uint(field: number, value: number): this {
    if (value === 0) return this;
    this.tag(field, WIRE.VARINT);
    this.varint(value);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export class ProtoError extends Error {}

const decoder = new TextDecoder();
function rfc3339(seconds: number, nanos: number): string {
  const base = new Date(seconds * 1000).toISOString().replace(/\.000Z$/, '');
  if (nanos === 0) return `${base}Z`;
  const frac = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return `${base}.${frac}Z`;
}

/** google.protobuf.Value: null, number, string, bool, struct or list. */
function structValue(r: ProtoReader): unknown {
  let value: unknown = null;
  while (r.next()) {
    if (r.field === 1) {
      r.skip();
      value = null;
    } else if (r.field === 2 && r.wire === WIRE.I64) value = r.double();
    else if (r.field === 3) value = r.string();
    else if (r.field === 4) value = r.varint() !== 0;
    else if (r.field === 5) value = readStruct(r.message());
    else if (r.field === 6) {
      const list = r.message();
      const items: unknown[] = [];
      while (list.next()) {
        if (list.field === 1) items.push(structValue(list.message()));
        else list.skip();
      }
      value = items;
    } else r.skip();
  }
  return value;
}

/** A plain string map as a google.protobuf.Struct of string values. */
export function encodeStruct(values: Record<string, string>): ProtoWriter {
  const w = new ProtoWriter();
  for (const [k, v] of Object.entries(values)) {
    w.message(1, new ProtoWriter().string(1, k).message(2, new ProtoWriter().string(3, v)));
  }
  return w;
}

/**
 * A cursor over one message's fields: `while (r.next()) switch (r.field) …`, then read the value
 * with varint(), string(), message() or skip(). Nothing is allocated for skipped fields, so large
 * messages of which little is wanted (a pod list without managedFields) read quickly.
 */
export class ProtoReader {
  /** The current field's number and wire type (after next()). */
  field = 0;
  wire = 0;
  private at: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.at = start;
  }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.at >= this.end) return false;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wire = key % 8;
    return true;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new ProtoError('truncated varint');
      const b = this.buf[this.at++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ProtoError('varint too long');
  }

  /** The current LEN field's bounds; the cursor moves past it. */
  private span(): [number, number] {
    if (this.wire !== WIRE.LEN) throw new ProtoError(`field ${this.field}: expected a length-delimited value, got wire type ${this.wire}`);
    const len = this.varint();
    const start = this.at;
    if (start + len > this.end) throw new ProtoError('truncated field');
    this.at = start + len;
    return [start, start + len];
  }

  string(): string {
    const [start, stop] = this.span();
    return decoder.decode(this.buf.subarray(start, stop));
  }

  bytes(): Uint8Array {
    const [start, stop] = this.span();
    return this.buf.subarray(start, stop);
  }

  /** A reader over the current field's embedded message. */
  message(): ProtoReader {
    const [start, stop] = this.span();
    return new ProtoReader(this.buf, start, stop);
  }

  skip(): void {
    switch (this.wire) {
      case WIRE.VARINT:
        this.varint();
        return;
      case WIRE.LEN:
        this.span();
        return;
      case WIRE.I64:
        this.advance(8);
        return;
      case WIRE.I32:
        this.advance(4);
        return;
      default:
        throw new ProtoError(`unsupported wire type ${this.wire}`);
    }
  }

  /** A fixed64 double (google.protobuf.Value's number_value). */
  double(): number {
    const start = this.at;
    this.advance(8);
    return new DataView(this.buf.buffer, this.buf.byteOffset + start, 8).getFloat64(0, true);
  }

  private advance(n: number): void {
    if (this.at + n > this.end) throw new ProtoError('truncated fixed field');
    this.at += n;
  }
}

/** google.protobuf.Timestamp (read with a ProtoReader) → RFC 3339 (UTC), as protojson writes it. */
export function readTimestamp(r: ProtoReader): string {
  let seconds = 0;
  let nanos = 0;
  while (r.next()) {
    if (r.field === 1) seconds = r.varint();
    else if (r.field === 2) nanos = r.varint();
    else r.skip();
  }
  return rfc3339(seconds, nanos);
}

/** google.protobuf.Struct (read with a ProtoReader) → a plain object, as struct() does. */
export function readStruct(r: ProtoReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (r.next()) {
    if (r.field !== 1) {
      r.skip();
      continue;
    }
    const e = r.message();
    let key = '';
    let value: unknown = null;
    while (e.next()) {
      if (e.field === 1) key = e.string();
      else if (e.field === 2) value = structValue(e.message());
      else e.skip();
    }
    out[key] = value;
  }
  return out;
}
