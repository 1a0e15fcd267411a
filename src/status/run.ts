/**
 * proxy-status end to end, minus printing: collect (I/O) → compute (pure) → a report, or one
 * proxy's row for `mesh proxy-status POD[.NS]`.
 */
import { ClusterError, didYouMean } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { type CollectDeps, collectStatus } from './collect.js';
import { computeStatus, hasSidecar, summarize } from './compute.js';
import { reportedIstiodVersion } from './syncz.js';
import type { ProxyRow, StatusReport, Transport } from './types.js';

export interface ProxyStatusOptions {
  /** A single proxy: its pod and namespace. */
  target?: { pod: string; namespace: string };
  namespace?: string;
  istioNamespace: string;
  revision?: string;
  timeoutMs: number;
  outdatedOnly?: boolean;
  transport?: Transport;
  /** Listing every proxy: when istiod cannot be read, still list the pods (NOT CONNECTED) and report why in istiodError. */
  listWithoutIstiod?: boolean;
}

export interface ProxyStatusDeps extends CollectDeps {
  kube: KubeClient;
}

export interface ProxyStatusResult {
  report: StatusReport;
  /** Set for a single-proxy request. */
  proxy?: ProxyRow;
  /** Notes for stderr (e.g. an istiod read over HTTP because its xDS port failed). */
  notes: string[];
  /** istiod could not be read: the proxies are listed as NOT CONNECTED, and this is why. */
  istiodError?: Error;
  /** The version each istiod pod that answered reports of itself (null over HTTP). */
  istiodVersions: { pod: string; version: string | null }[];
}

export async function runProxyStatus(options: ProxyStatusOptions, deps: ProxyStatusDeps): Promise<ProxyStatusResult> {
  const namespace = options.target?.namespace ?? options.namespace;
  const snapshot = await collectStatus(
    {
      istioNamespace: options.istioNamespace,
      timeoutMs: options.timeoutMs,
      ...(options.revision !== undefined ? { revision: options.revision } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(options.transport !== undefined ? { transport: options.transport } : {}),
      ...(options.target === undefined && options.listWithoutIstiod === true ? { listWithoutIstiod: true } : {}),
    },
    deps,
  );
  const report = computeStatus(snapshot, {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(options.outdatedOnly ? { outdatedOnly: true } : {}),
  });
  const notes = snapshot.notes ?? [];
  const istiodVersions = snapshot.payloads.map((p) => ({ pod: p.istiod, version: reportedIstiodVersion(p) }));
  if (options.target === undefined)
    return { report, notes, istiodVersions, ...(snapshot.istiodError !== undefined ? { istiodError: snapshot.istiodError } : {}) };

  const { pod, namespace: ns } = options.target;
  const id = `${pod}.${ns}`;
  const proxy = report.proxies.find((r) => r.name === id);
  if (proxy !== undefined) return { report: { ...report, proxies: [proxy], summary: summarize([proxy]) }, proxy, notes, istiodVersions };
  const live = snapshot.pods.find((p) => p.metadata.name === pod && p.metadata.namespace === ns);
  if (live !== undefined && !hasSidecar(live)) {
    throw new ClusterError(`pod ${ns}/${pod} has no istio-proxy container, so it has no proxy to report`);
  }
  if (live !== undefined) {
    const phase = (live['status'] as { phase?: string } | undefined)?.phase ?? 'Unknown';
    throw new ClusterError(`pod ${ns}/${pod} is ${phase}; its proxy is not running yet, and no istiod reports it`);
  }
  const names = report.proxies.map((r) => r.name);
  const asked = snapshot.istiodPods.map((p) => p.metadata.name ?? '').join(', ');
  throw new ClusterError(`no proxy ${id}: istiod (${asked}) does not report it and there is no pod ${ns}/${pod}${didYouMean(id, names)}`);
}
