/**
 * Parsing istiod's sync status, in either of the two shapes it comes in:
 *  - HTTP `GET /debug/syncz` (monitoring port 15014): a JSON array of SyncStatus
 *    `{cluster_id, proxy, istio_version, cluster_sent, cluster_acked, …, resources?}` whose values are nonces;
 *  - xDS `istio.io/debug/syncz` (port 15012): a DiscoveryResponse whose resources are Envoy CSDS
 *    ClientConfig messages `{node, genericXdsConfigs: [{typeUrl, configStatus, lastUpdated, errorState}]}`.
 * Pure: JSON in, ProxySync[] out.
 */
import { ClusterError } from '../errors.js';
import { type ProxySync, type SyncState, type SynczPayload, type TypeStatus, type XdsType, TYPE_URLS, XDS_TYPES } from './types.js';
import { asRecord, isRecord, scalarText } from '../util/narrow.js';

/** Field prefix of each type in the HTTP SyncStatus (`cluster_sent`, `cluster_acked`, …). */
const HTTP_PREFIX: Record<XdsType, string> = {
  CDS: 'cluster',
  LDS: 'listener',
  EDS: 'endpoint',
  RDS: 'route',
  ECDS: 'extensionconfig',
};

type Json = Record<string, unknown>;

const strOrNull = (v: unknown): string | null => (scalarText(v) === '' ? null : scalarText(v));

/** Which shape a payload is in; undefined when it is neither. */
export function synczShape(body: unknown): 'http' | 'xds' | undefined {
  if (Array.isArray(body)) return 'http';
  if (isRecord(body) && (Array.isArray(body['resources']) || isRecord(body['controlPlane']) || typeof body['typeUrl'] === 'string')) {
    return 'xds';
  }
  return undefined;
}

/** Parses one istiod's answer. Throws a ClusterError naming the istiod when the shape is unknown. */
export function parseSyncz(payload: SynczPayload): ProxySync[] {
  const shape = synczShape(payload.body);
  if (shape === 'http') return parseHttp(payload.istiod, payload.body as unknown[]);
  if (shape === 'xds') return parseXds(payload.istiod, payload.body as Json);
  throw new ClusterError(
    `istiod ${payload.istiod}: the sync status is neither a SyncStatus array (/debug/syncz) nor a DiscoveryResponse (istio.io/debug/syncz)`,
  );
}

/** The type a resources-map key or type URL names: a full type URL, its message name, or cds/lds/…. */
export function typeOfKey(key: string): XdsType | undefined {
  const k = key.trim();
  for (const t of XDS_TYPES) {
    const url = TYPE_URLS[t];
    if (k === url || k === url.replace('type.googleapis.com/', '') || k.toUpperCase() === t) return t;
  }
  return undefined;
}

function parseHttp(istiod: string, items: unknown[]): ProxySync[] {
  const out: ProxySync[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const id = scalarText(item['proxy']);

    if (id === '') continue;
    const resources = isRecord(item['resources']) ? item['resources'] : undefined;
    const byType = new Map<XdsType, Json>();
    if (resources) {
      for (const [k, v] of Object.entries(resources)) {
        const t = typeOfKey(k);
        if (t !== undefined && isRecord(v)) byType.set(t, v);
      }
    }
    const types = {} as Record<XdsType, TypeStatus>;
    for (const t of XDS_TYPES) {
      const res = byType.get(t);
      const sent = scalarText(res?.['sent'] ?? item[`${HTTP_PREFIX[t]}_sent`]);
      const acked = scalarText(res?.['acked'] ?? item[`${HTTP_PREFIX[t]}_acked`]);
      const lastError = scalarText(res?.['lastError']);
      const lastUpdated = strOrNull(res?.['sentTime']);
      let status: SyncState;
      if (lastError !== '') status = 'ERROR';
      else if (resources !== undefined && res === undefined && sent === '') status = 'IGNORED';
      else if (sent === '') status = 'NOT SENT';
      else if (sent === acked) status = 'SYNCED';
      else status = 'STALE';
      types[t] = {
        status,
        lastUpdated,
        error: status === 'ERROR' ? { details: lastError, lastUpdateAttempt: lastUpdated } : null,
      };
    }
    // Debug clients (mesh's and istioctl's own xDS requests) are connections too: no
    // ISTIO_VERSION, no CLUSTER_ID, nothing but debug types sent. istiod's xDS syncz leaves them
    // out; so does mesh.
    const anonymous = scalarText(item['istio_version']) === '' && scalarText(item['proxy_version']) === '' && scalarText(item['cluster_id']) === '';
    if (anonymous && XDS_TYPES.every((t) => types[t].status === 'NOT SENT' || types[t].status === 'IGNORED')) continue;
    out.push({
      id,
      clusterId: scalarText(item['cluster_id']),
      version: strOrNull(item['istio_version']) ?? strOrNull(item['proxy_version']),
      istiod,
      istiodVersion: null,
      types,
    });
  }
  return out;
}

const XDS_STATUS: Record<string, SyncState> = {
  SYNCED: 'SYNCED',
  NOT_SENT: 'NOT SENT',
  STALE: 'STALE',
  ERROR: 'ERROR',
};

/** `{"Component":"istiod","ID":"<pod>","Info":{"version":…}}`, the control-plane identifier. */
export function parseControlPlaneIdentifier(identifier: unknown): { id: string | null; version: string | null } {
  if (typeof identifier !== 'string' || identifier === '') return { id: null, version: null };
  try {
    const parsed = JSON.parse(identifier) as unknown;
    if (!isRecord(parsed)) return { id: null, version: null };
    const info = asRecord(parsed['Info']);
    return { id: strOrNull(parsed['ID']), version: strOrNull(info['version']) };
  } catch {
    return { id: null, version: null };
  }
}

/** The version an istiod reports of itself: its xDS identity (HTTP /debug/syncz does not say). */
export function reportedIstiodVersion(payload: SynczPayload): string | null {
  if (synczShape(payload.body) !== 'xds') return null;
  const cp = (payload.body as Json)['controlPlane'];
  return isRecord(cp) ? parseControlPlaneIdentifier(cp['identifier']).version : null;
}

function parseXds(istiodPod: string, response: Json): ProxySync[] {
  const cp = asRecord(response['controlPlane']);
  const ident = parseControlPlaneIdentifier(cp['identifier']);
  const istiod = ident.id ?? istiodPod;
  const out: ProxySync[] = [];
  for (const resource of Array.isArray(response['resources']) ? response['resources'] : []) {
    if (!isRecord(resource)) continue;
    const node = asRecord(resource['node']);
    const id = scalarText(node['id']);
    if (id === '') continue;
    const meta = asRecord(node['metadata']);
    const types = Object.fromEntries(XDS_TYPES.map((t) => [t, { status: 'IGNORED', lastUpdated: null, error: null } satisfies TypeStatus])) as Record<
      XdsType,
      TypeStatus
    >;
    for (const cfg of Array.isArray(resource['genericXdsConfigs']) ? resource['genericXdsConfigs'] : []) {
      if (!isRecord(cfg)) continue;
      const t = typeOfKey(scalarText(cfg['typeUrl']));
      if (t === undefined) continue;
      const errorState = isRecord(cfg['errorState']) ? cfg['errorState'] : undefined;
      const nacked = scalarText(cfg['clientStatus']) === 'NACKED' || scalarText(cfg['clientStatus']) === 'CLIENT_NACKED';
      let status: SyncState = XDS_STATUS[scalarText(cfg['configStatus'])] ?? 'IGNORED';
      if (nacked || (errorState !== undefined && scalarText(errorState['details']) !== '')) status = 'ERROR';
      types[t] = {
        status,
        lastUpdated: strOrNull(cfg['lastUpdated']),
        error: status === 'ERROR' ? { details: scalarText(errorState?.['details']), lastUpdateAttempt: strOrNull(errorState?.['lastUpdateAttempt']) } : null,
      };
    }
    out.push({
      id,
      clusterId: scalarText(meta['CLUSTER_ID']),
      version: strOrNull(meta['ISTIO_VERSION']),
      istiod,
      istiodVersion: ident.version,
      types,
    });
  }
  return out;
}
