/**
 * proxy-status, the pure part: a snapshot (istiod pods, their syncz answers, the cluster's pods) in,
 * a report (one row per proxy, with findings) out. No clock, no I/O.
 */
import { proxyContainer, proxyRevision } from '../model/injection.js';
import type { KubeObject } from '../model/k8s.js';
import { parseSyncz } from './syncz.js';
import {
  type ControlPlane,
  type Finding,
  type ProxyRow,
  type ProxySync,
  type StatusReport,
  type StatusSnapshot,
  type StatusSummary,
  type TypeStatus,
  type XdsType,
  XDS_TYPES,
} from './types.js';

export interface ComputeOptions {
  /** Only proxies in this namespace. */
  namespace?: string;
  /** Only proxies whose version differs from their control plane's. */
  outdatedOnly?: boolean;
  /** Only this revision: sidecar pods injected by another revision are not reported as NOT CONNECTED. */
  revision?: string;
}

interface Container {
  name?: string;
  image?: string;
}

function containersOf(pod: KubeObject): Container[] {
  const spec = (pod['spec'] ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
}

/**
 * The Istio version an image tag names: `…/proxyv2:1.31.1-distroless` → `1.31.1`.
 * null for digests only, or no tag.
 */
export function versionFromImage(image: string | undefined): string | null {
  if (image === undefined || image === '') return null;
  const noDigest = image.split('@')[0] ?? '';
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon <= lastSlash) return null;
  const tag = noDigest.slice(colon + 1);
  return tag === '' ? null : stripVariant(tag);
}

function stripVariant(v: string): string {
  return v.replace(/-(distroless|debug)$/, '');
}

/** Versions compare equal when they differ only in a leading `v` or an image variant suffix. */
export function sameVersion(a: string, b: string): boolean {
  const norm = (v: string): string => stripVariant(v.trim().replace(/^v(?=\d)/, ''));
  return norm(a) === norm(b);
}

/** An istio-proxy container in containers, or in initContainers (a native sidecar). */
export function hasSidecar(pod: KubeObject): boolean {
  return proxyContainer(pod['spec']) !== undefined;
}

function proxyImageVersion(pod: KubeObject): string | null {
  return versionFromImage(proxyContainer(pod['spec'])?.image);
}

/**
 * The revision a sidecar was injected by (model/injection.ts's resolver: sidecar.istio.io/status's
 * revision, else the istio.io/rev label, else default). proxy-status reads neither namespaces nor
 * revision tags, so none are given.
 */
function podRevision(pod: KubeObject): string {
  return proxyRevision(pod, {}, {}) ?? 'default';
}

function isLive(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  return phase === 'Running' && pod.metadata.deletionTimestamp === undefined;
}

export function controlPlaneOf(pod: KubeObject): ControlPlane {
  const containers = containersOf(pod);
  const discovery = containers.find((c) => c.name === 'discovery') ?? containers[0];
  return {
    pod: pod.metadata.name ?? '',
    namespace: pod.metadata.namespace ?? '',
    revision: pod.metadata.labels?.['istio.io/rev'] ?? 'default',
    version: versionFromImage(discovery?.image),
  };
}

/** `<pod>.<namespace>` → [pod, namespace]; namespaces hold no dots, pod names may. */
export function splitProxyId(id: string): [string, string] {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? [id, ''] : [id.slice(0, dot), id.slice(dot + 1)];
}

function latestUpdate(p: ProxySync): string {
  let latest = '';
  for (const t of XDS_TYPES) {
    const u = p.types[t].lastUpdated ?? '';
    if (u > latest) latest = u;
  }
  return latest;
}

/** One entry per proxy: when replicas disagree (a reconnect in flight), the freshest report wins. */
export function mergeReplicas(reports: readonly ProxySync[]): ProxySync[] {
  const byId = new Map<string, ProxySync>();
  for (const p of reports) {
    const seen = byId.get(p.id);
    if (seen === undefined) {
      byId.set(p.id, p);
      continue;
    }
    const a = latestUpdate(seen);
    const b = latestUpdate(p);
    if (b > a || (b === a && p.istiod < seen.istiod)) byId.set(p.id, p);
  }
  return [...byId.values()];
}

function findingsOf(row: Omit<ProxyRow, 'findings'>): Finding[] {
  const f: Finding[] = [];
  const statuses = XDS_TYPES.map((t) => row.types[t]?.status);
  if (!row.connected) f.push('NOT_CONNECTED');
  if (statuses.includes('STALE')) f.push('STALE');
  if (statuses.includes('ERROR')) f.push('NACKED');
  if (row.outdated) f.push('OUTDATED');
  return f;
}

export function computeStatus(snapshot: StatusSnapshot, options: ComputeOptions = {}): StatusReport {
  const controlPlanes = snapshot.istiodPods.map(controlPlaneOf).sort((a, b) => a.pod.localeCompare(b.pod));
  const cpByPod = new Map(controlPlanes.map((c) => [c.pod, c]));
  const versionByRevision = new Map<string, string>();
  for (const c of controlPlanes) if (c.version !== null && !versionByRevision.has(c.revision)) versionByRevision.set(c.revision, c.version);

  const podsById = new Map<string, KubeObject>();
  for (const pod of snapshot.pods) podsById.set(`${pod.metadata.name ?? ''}.${pod.metadata.namespace ?? ''}`, pod);

  const rows: ProxyRow[] = [];
  const connectedIds = new Set<string>();
  for (const p of mergeReplicas(snapshot.payloads.flatMap(parseSyncz))) {
    connectedIds.add(p.id);
    const [pod, namespace] = splitProxyId(p.id);
    const live = podsById.get(p.id);
    const version = p.version ?? (live ? proxyImageVersion(live) : null);
    const controlPlaneVersion = p.istiodVersion ?? cpByPod.get(p.istiod)?.version ?? null;
    const types = {} as Record<XdsType, TypeStatus | null>;
    for (const t of XDS_TYPES) types[t] = p.types[t];
    const row = {
      name: p.id,
      pod,
      namespace,
      cluster: p.clusterId === '' ? null : p.clusterId,
      istiod: p.istiod,
      connected: true,
      version,
      controlPlaneVersion,
      outdated: version !== null && controlPlaneVersion !== null && !sameVersion(version, controlPlaneVersion),
      subscribed: XDS_TYPES.filter((t) => p.types[t].status !== 'IGNORED'),
      types,
    };
    rows.push({ ...row, findings: findingsOf(row) });
  }

  for (const pod of snapshot.pods) {
    const id = `${pod.metadata.name ?? ''}.${pod.metadata.namespace ?? ''}`;
    if (connectedIds.has(id) || !hasSidecar(pod) || !isLive(pod)) continue;
    if (options.revision !== undefined && podRevision(pod) !== options.revision) continue;
    const version = proxyImageVersion(pod);
    const controlPlaneVersion = versionByRevision.get(podRevision(pod)) ?? null;
    const row = {
      name: id,
      pod: pod.metadata.name ?? '',
      namespace: pod.metadata.namespace ?? '',
      cluster: null,
      istiod: null,
      connected: false,
      version,
      controlPlaneVersion,
      outdated: version !== null && controlPlaneVersion !== null && !sameVersion(version, controlPlaneVersion),
      subscribed: [],
      types: { CDS: null, LDS: null, EDS: null, RDS: null, ECDS: null },
    };
    rows.push({ ...row, findings: findingsOf(row) });
  }

  const proxies = rows
    .filter((r) => options.namespace === undefined || r.namespace === options.namespace)
    .filter((r) => !options.outdatedOnly || r.outdated)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  return {
    apiVersion: 'mesh.istio.io/v1alpha1',
    kind: 'ProxyStatus',
    controlPlanes,
    proxies,
    summary: summarize(proxies),
  };
}

/** Counts of the rows' findings. */
export function summarize(proxies: readonly ProxyRow[]): StatusSummary {
  const count = (f: Finding): number => proxies.filter((r) => r.findings.includes(f)).length;
  return {
    proxies: proxies.length,
    synced: proxies.filter((r) => r.connected && !r.findings.includes('STALE') && !r.findings.includes('NACKED')).length,
    stale: count('STALE'),
    nacked: count('NACKED'),
    notConnected: count('NOT_CONNECTED'),
    outdated: count('OUTDATED'),
  };
}

/** Proxies with at least one finding. */
export function withFindings(report: StatusReport): ProxyRow[] {
  return report.proxies.filter((r) => r.findings.length > 0);
}
