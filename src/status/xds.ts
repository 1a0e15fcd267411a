/**
 * xDS debug messages, encoded and decoded by hand (see src/util/protowire.ts): the DiscoveryRequest mesh
 * sends for `istio.io/debug/syncz`, and istiod's DiscoveryResponse, decoded into the JSON shape
 * protojson gives it (what istioctl prints with `-o json`), so one parser reads it (syncz.ts). Pure.
 *
 * Field numbers: envoy/service/discovery/v3/discovery.proto, envoy/config/core/v3/base.proto,
 * envoy/service/status/v3/csds.proto, envoy/admin/v3/config_dump_shared.proto.
 */
import { ProtoReader, ProtoWriter, encodeStruct, readStruct, readTimestamp } from '../util/protowire.js';

export const SYNCZ_TYPE = 'istio.io/debug/syncz';
export const CLIENT_CONFIG_TYPE = 'type.googleapis.com/envoy.service.status.v3.ClientConfig';
export const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

export interface DebugRequest {
  typeUrl: string;
  /** The node ID, `sidecar~IP~NAME.NS~NS.svc.cluster.local`: istiod takes the namespace from it. */
  nodeId: string;
  metadata: Record<string, string>;
  resourceNames?: string[];
}

/** A DiscoveryRequest: node (2) {id 1, metadata 3}, resource_names (3), type_url (4). */
export function encodeDiscoveryRequest(req: DebugRequest): Uint8Array {
  const node = new ProtoWriter().string(1, req.nodeId).message(3, encodeStruct(req.metadata));
  const w = new ProtoWriter().message(2, node);
  for (const name of req.resourceNames ?? []) w.string(3, name);
  return w.string(4, req.typeUrl).finish();
}

/** The node a debug client sends: in the control plane's namespace, with istioctl's metadata. */
export function debugNode(namespace: string, serviceAccount: string, name: string): Pick<DebugRequest, 'nodeId' | 'metadata'> {
  return {
    nodeId: `sidecar~127.0.0.1~${name}.${namespace}~${namespace}.svc.cluster.local`,
    metadata: { GENERATOR: 'event', SERVICE_ACCOUNT: serviceAccount, NAMESPACE: namespace },
  };
}

const CONFIG_STATUS = ['UNKNOWN', 'SYNCED', 'NOT_SENT', 'STALE', 'ERROR'];
const CLIENT_STATUS = ['UNKNOWN', 'REQUESTED', 'DOES_NOT_EXIST', 'ACKED', 'NACKED', 'RECEIVED_ERROR', 'TIMEOUT'];

function decodeNode(r: ProtoReader): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  while (r.next()) {
    if (r.field === 1) node['id'] = r.string();
    else if (r.field === 2) node['cluster'] = r.string();
    else if (r.field === 3) node['metadata'] = readStruct(r.message());
    else r.skip();
  }
  return node;
}

function decodeErrorState(r: ProtoReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (r.next()) {
    if (r.field === 2) out['lastUpdateAttempt'] = readTimestamp(r.message());
    else if (r.field === 3) out['details'] = r.string();
    else if (r.field === 4) out['versionInfo'] = r.string();
    else r.skip();
  }
  return out;
}

function decodeGenericXdsConfig(r: ProtoReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (r.next()) {
    switch (r.field) {
      case 1:
        out['typeUrl'] = r.string();
        break;
      case 2:
        out['name'] = r.string();
        break;
      case 3:
        out['versionInfo'] = r.string();
        break;
      case 5:
        out['lastUpdated'] = readTimestamp(r.message());
        break;
      case 6: {
        const v = r.varint();
        out['configStatus'] = CONFIG_STATUS[v] ?? String(v);
        break;
      }
      case 7: {
        const v = r.varint();
        out['clientStatus'] = CLIENT_STATUS[v] ?? String(v);
        break;
      }
      case 8:
        out['errorState'] = decodeErrorState(r.message());
        break;
      case 9:
        out['isStaticResource'] = r.varint() !== 0;
        break;
      default:
        r.skip();
    }
  }
  return out;
}

function decodeClientConfig(r: ProtoReader): Record<string, unknown> {
  const out: Record<string, unknown> = { '@type': CLIENT_CONFIG_TYPE };
  const configs: Record<string, unknown>[] = [];
  while (r.next()) {
    if (r.field === 1) out['node'] = decodeNode(r.message());
    else if (r.field === 3) configs.push(decodeGenericXdsConfig(r.message()));
    else if (r.field === 4) out['clientScope'] = r.string();
    else r.skip();
  }
  if (configs.length > 0) out['genericXdsConfigs'] = configs;
  return out;
}

function decodeAny(r: ProtoReader): Record<string, unknown> {
  let typeUrl = '';
  let value: ProtoReader | undefined;
  while (r.next()) {
    if (r.field === 1) typeUrl = r.string();
    else if (r.field === 2) value = r.message();
    else r.skip();
  }
  if (typeUrl === CLIENT_CONFIG_TYPE) return decodeClientConfig(value ?? new ProtoReader(new Uint8Array(0)));
  return { '@type': typeUrl };
}

/** DiscoveryResponse → `{versionInfo, resources, typeUrl, nonce, controlPlane: {identifier}}`. */
export function decodeDiscoveryResponse(buf: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const resources: Record<string, unknown>[] = [];
  const r = new ProtoReader(buf);
  while (r.next()) {
    if (r.field === 1) out['versionInfo'] = r.string();
    else if (r.field === 2) resources.push(decodeAny(r.message()));
    else if (r.field === 4) out['typeUrl'] = r.string();
    else if (r.field === 5) out['nonce'] = r.string();
    else if (r.field === 6) {
      const c = r.message();
      while (c.next()) {
        if (c.field === 1) out['controlPlane'] = { identifier: c.string() };
        else c.skip();
      }
    } else r.skip();
  }
  out['resources'] = resources;
  return out;
}

/** gRPC length-prefixed framing: flag byte (0, uncompressed), 4-byte big-endian length, message. */
export function grpcFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length, false);
  out.set(message, 5);
  return out;
}

/** Splits complete gRPC messages off the front of a buffer; returns them and the rest. */
export function grpcUnframe(buf: Uint8Array): { messages: Uint8Array[]; rest: Uint8Array; compressed: boolean } {
  const messages: Uint8Array[] = [];
  let at = 0;
  let compressed = false;
  while (buf.length - at >= 5) {
    const len = new DataView(buf.buffer, buf.byteOffset + at + 1, 4).getUint32(0, false);
    if (buf.length - at - 5 < len) break;
    if (buf[at] !== 0) compressed = true;
    messages.push(buf.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  return { messages, rest: buf.subarray(at), compressed };
}
