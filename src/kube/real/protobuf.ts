/**
 * The API server's protobuf encoding (`application/vnd.kubernetes.protobuf`), read for one job:
 * listing many pods quickly. A pod list in JSON is about three times the bytes, and JSON.parse
 * builds every field (managedFields are a third of it); here only what a pod summary needs is read
 * and the rest is skipped unparsed.
 *
 * Wire facts (k8s.io/apimachinery runtime and meta/v1, k8s.io/api core/v1 generated.proto):
 * a body is the 4 bytes `k8s\0` then runtime.Unknown {typeMeta 1 {apiVersion 1, kind 2}, raw 2};
 * PodList {metadata 1 (ListMeta {continue 3}), items 2}; Pod {metadata 1, spec 2, status 3};
 * ObjectMeta {name 1, namespace 3, uid 5, resourceVersion 6, creationTimestamp 8 and deletionTimestamp 9
 * (Time {seconds 1, nanos 2}), labels 11, annotations 12 (map entries {key 1, value 2})}; PodSpec
 * {containers 2, hostNetwork 11, securityContext 14 (PodSecurityContext {runAsUser 2}), initContainers
 * 20}; Container {name 1, image 2, ports 6 (ContainerPort {name 1, containerPort 3}), securityContext
 * 15 (SecurityContext {runAsUser 4})}; PodStatus {phase 1, podIP 6}; Status {message 3, reason 4,
 * code 6}. The server writes scalars that are not pointers even when empty (a port's name '',
 * hostNetwork false); they are kept as the JSON answer has them (omitted).
 */
import type { SummaryContainer } from '../client.js';
import type { KubeObject } from '../../model/k8s.js';
import { ProtoError, ProtoReader } from '../../util/protowire.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/** The raw message inside the envelope, and the kind it says it is. */
export function unwrap(body: Uint8Array): { kind: string; raw: Uint8Array } {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw new ProtoError('not a Kubernetes protobuf body (no k8s\\0 prefix)');
  const r = new ProtoReader(body, 4);
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  while (r.next()) {
    if (r.field === 1) {
      const t = r.message();
      while (t.next()) {
        if (t.field === 2) kind = t.string();
        else t.skip();
      }
    } else if (r.field === 2) raw = r.bytes();
    else r.skip();
  }
  return { kind, raw };
}

/** A Status (an error answer) as the JSON toApiError reads. */
export function statusJson(raw: Uint8Array): string {
  const r = new ProtoReader(raw);
  const out: { kind: string; message?: string; reason?: string; code?: number } = { kind: 'Status' };
  while (r.next()) {
    if (r.field === 3) out.message = r.string();
    else if (r.field === 4) out.reason = r.string();
    else if (r.field === 6) out.code = r.varint();
    else r.skip();
  }
  return JSON.stringify(out);
}

/** One page of a pod list, each pod reduced to its summary, and the continue token. */
export function decodePodList(raw: Uint8Array): { items: KubeObject[]; continue: string | undefined } {
  const r = new ProtoReader(raw);
  const items: KubeObject[] = [];
  let cont: string | undefined;
  while (r.next()) {
    if (r.field === 1) {
      const m = r.message();
      while (m.next()) {
        if (m.field === 3) cont = m.string() || undefined;
        else m.skip();
      }
    } else if (r.field === 2) items.push(decodePod(r.message()));
    else r.skip();
  }
  return { items, continue: cont };
}

function decodePod(r: ProtoReader): KubeObject {
  const metadata: KubeObject['metadata'] = {};
  const spec: { containers: SummaryContainer[]; initContainers?: SummaryContainer[]; hostNetwork?: true; securityContext?: { runAsUser: number } } = {
    containers: [],
  };
  const status: { phase?: string; podIP?: string } = {};
  while (r.next()) {
    if (r.field === 1) readMeta(r.message(), metadata);
    else if (r.field === 2) {
      const s = r.message();
      while (s.next()) {
        if (s.field === 2) spec.containers.push(readContainer(s.message()));
        else if (s.field === 20) (spec.initContainers ??= []).push(readContainer(s.message()));
        else if (s.field === 11) {
          if (s.varint() !== 0) spec.hostNetwork = true;
        } else if (s.field === 14) {
          const runAsUser = readRunAsUser(s.message(), 2);
          if (runAsUser !== undefined) spec.securityContext = { runAsUser };
        } else s.skip();
      }
    } else if (r.field === 3) {
      const s = r.message();
      while (s.next()) {
        if (s.field === 1) status.phase = s.string();
        else if (s.field === 6) status.podIP = s.string();
        else s.skip();
      }
    } else r.skip();
  }
  // Field order on the wire is the server's: put the keys in podSummary()'s order.
  const { containers, initContainers, hostNetwork, securityContext } = spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      containers,
      ...(initContainers !== undefined ? { initContainers } : {}),
      ...(hostNetwork ? { hostNetwork } : {}),
      ...(securityContext ? { securityContext } : {}),
    },
    status,
  };
}

/** runAsUser of a (Pod)SecurityContext, at its field number. */
function readRunAsUser(r: ProtoReader, field: number): number | undefined {
  let uid: number | undefined;
  while (r.next()) {
    if (r.field === field) uid = r.varint();
    else r.skip();
  }
  return uid;
}

function readMeta(r: ProtoReader, meta: KubeObject['metadata']): void {
  while (r.next()) {
    switch (r.field) {
      case 1:
        meta.name = r.string();
        break;
      case 3:
        meta.namespace = r.string();
        break;
      case 5:
        meta.uid = r.string();
        break;
      case 6:
        meta.resourceVersion = r.string();
        break;
      case 8:
        meta.creationTimestamp = readTime(r.message());
        break;
      case 9:
        meta.deletionTimestamp = readTime(r.message());
        break;
      case 11:
        readMapEntry(r.message(), (meta.labels ??= {}));
        break;
      case 12:
        readMapEntry(r.message(), (meta.annotations ??= {}));
        break;
      default:
        r.skip();
    }
  }
}

function readMapEntry(r: ProtoReader, into: Record<string, string>): void {
  let key = '';
  let value = '';
  while (r.next()) {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) value = r.string();
    else r.skip();
  }
  into[key] = value;
}

function readContainer(r: ProtoReader): SummaryContainer {
  const c: SummaryContainer = { name: '' };
  while (r.next()) {
    if (r.field === 1) c.name = r.string();
    else if (r.field === 2) c.image = r.string();
    else if (r.field === 6) {
      const p = r.message();
      let name = '';
      let containerPort = 0;
      while (p.next()) {
        if (p.field === 1) name = p.string();
        else if (p.field === 3) containerPort = p.varint();
        else p.skip();
      }
      (c.ports ??= []).push(name !== '' ? { name, containerPort } : { containerPort });
    } else if (r.field === 15) {
      const runAsUser = readRunAsUser(r.message(), 4);
      if (runAsUser !== undefined) c.securityContext = { runAsUser };
    } else r.skip();
  }
  // Keys in podSummary()'s order.
  const { name, image, ports, securityContext } = c;
  return { name, ...(image !== undefined ? { image } : {}), ...(ports ? { ports } : {}), ...(securityContext ? { securityContext } : {}) };
}

/** meta/v1 Time → RFC 3339 in seconds, as the API server writes it in JSON. */
function readTime(r: ProtoReader): string {
  let seconds = 0;
  while (r.next()) {
    if (r.field === 1) seconds = r.varint();
    else r.skip();
  }
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
