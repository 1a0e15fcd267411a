/**
 * The protobuf wire format, as much of it as mesh needs to speak xDS debug requests to istiod and
 * to read the API server's protobuf pod lists: varints, length-delimited fields, a reader that
 * walks a message's fields (fields()), and a cursor that does so without allocating per field
 * (ProtoReader, for large messages). Pure.
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

export interface ProtoField {
  field: number;
  wire: number;
  /** For VARINT and I64/I32: the number (I64 as a double for doubles, see readDouble). */
  int: number;
  /** For LEN: the bytes. */
  bytes: Uint8Array;
}

export class ProtoError extends Error {}

const EMPTY = new Uint8Array(0);

/** The fields of one encoded message, in order. Throws ProtoError on malformed input. */
export function fields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  const end = buf.length;
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= end) throw new ProtoError('truncated varint');
      const b = buf[at++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ProtoError('varint too long');
  };
  while (at < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === WIRE.VARINT) {
      out.push({ field, wire, int: varint(), bytes: EMPTY });
    } else if (wire === WIRE.LEN) {
      const len = varint();
      if (at + len > end) throw new ProtoError('truncated field');
      out.push({ field, wire, int: 0, bytes: buf.subarray(at, at + len) });
      at += len;
    } else if (wire === WIRE.I64) {
      if (at + 8 > end) throw new ProtoError('truncated fixed64');
      const bytes = buf.subarray(at, at + 8);
      at += 8;
      out.push({ field, wire, int: new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true), bytes });
    } else if (wire === WIRE.I32) {
      if (at + 4 > end) throw new ProtoError('truncated fixed32');
      const bytes = buf.subarray(at, at + 4);
      at += 4;
      out.push({ field, wire, int: new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true), bytes });
    } else {
      throw new ProtoError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const decoder = new TextDecoder();
export const text = (f: ProtoField): string => decoder.decode(f.bytes);

/** google.protobuf.Timestamp → RFC 3339 (UTC), as protojson writes it. */
export function timestamp(buf: Uint8Array): string {
  let seconds = 0;
  let nanos = 0;
  for (const f of fields(buf)) {
    if (f.field === 1) seconds = f.int;
    else if (f.field === 2) nanos = f.int;
  }
  const base = new Date(seconds * 1000).toISOString().replace(/\.000Z$/, '');
  if (nanos === 0) return `${base}Z`;
  const frac = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return `${base}.${frac}Z`;
}

/** google.protobuf.Struct → a plain object (Value: null, number, string, bool, struct, list). */
export function struct(buf: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    if (f.field !== 1) continue;
    let key = '';
    let value: unknown = null;
    for (const e of fields(f.bytes)) {
      if (e.field === 1) key = text(e);
      else if (e.field === 2) value = structValue(e.bytes);
    }
    out[key] = value;
  }
  return out;
}

function structValue(buf: Uint8Array): unknown {
  let value: unknown = null;
  for (const f of fields(buf)) {
    if (f.field === 1) value = null;
    else if (f.field === 2) value = f.int;
    else if (f.field === 3) value = text(f);
    else if (f.field === 4) value = f.int !== 0;
    else if (f.field === 5) value = struct(f.bytes);
    else if (f.field === 6) value = [...fields(f.bytes)].filter((v) => v.field === 1).map((v) => structValue(v.bytes));
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

  private advance(n: number): void {
    if (this.at + n > this.end) throw new ProtoError('truncated fixed field');
    this.at += n;
  }
}
