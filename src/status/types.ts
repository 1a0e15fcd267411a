/**
 * Shapes of `mesh proxy-status`: what the collector gathers (a snapshot), and the report the pure
 * compute step makes of it. The report is also the machine output (`-o json|yaml`), so its field
 * names are part of mesh's interface: add fields, never rename or remove them.
 */
import type { KubeObject } from '../model/k8s.js';

/** The xDS types proxy-status reports, in the order its columns show them. */
export const XDS_TYPES = ['CDS', 'LDS', 'EDS', 'RDS', 'ECDS'] as const;
export type XdsType = (typeof XDS_TYPES)[number];

/** Envoy type URL of each reported xDS type. */
export const TYPE_URLS: Record<XdsType, string> = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  ECDS: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
};

/**
 * Per-type sync state, as istiod computes it from nonces (Envoy CSDS ConfigStatus):
 * SYNCED (last sent was acked), NOT SENT (nothing sent yet), STALE (sent, not acked),
 * ERROR (the proxy NACKed it), IGNORED (the proxy does not watch this type).
 */
export type SyncState = 'SYNCED' | 'NOT SENT' | 'STALE' | 'ERROR' | 'IGNORED';

export interface TypeStatus {
  status: SyncState;
  /** RFC 3339 time of the last update istiod reports for this type, or null. */
  lastUpdated: string | null;
  /** For ERROR: the NACK details Envoy sent back. */
  error: { details: string; lastUpdateAttempt: string | null } | null;
}

/** One proxy as one istiod reports it, after parsing either syncz shape. */
export interface ProxySync {
  /** Proxy ID, `<pod>.<namespace>`. */
  id: string;
  clusterId: string;
  /** The proxy's ISTIO_VERSION, or null when istiod does not say. */
  version: string | null;
  /** The istiod pod that reported it. */
  istiod: string;
  /** The control-plane version that istiod reported about itself, if any. */
  istiodVersion: string | null;
  types: Record<XdsType, TypeStatus>;
}

/** How mesh reads istiod's sync status: xDS on 15012, HTTP on 15014, or xDS falling back to HTTP. */
export type Transport = 'auto' | 'xds' | 'http';

/** One istiod replica's raw answer, as the collector read it. */
export interface SynczPayload {
  /** The istiod pod name the answer came from. */
  istiod: string;
  /** The transport that answered. */
  via?: 'xds' | 'http';
  /** Parsed JSON: a SyncStatus array (HTTP /debug/syncz) or a DiscoveryResponse (xDS istio.io/debug/syncz). */
  body: unknown;
}

/** What the collector hands to compute: plain data, no clients. */
export interface StatusSnapshot {
  /** Namespace of the control plane. */
  istioNamespace: string;
  /** Running istiod pods that were asked. */
  istiodPods: KubeObject[];
  payloads: SynczPayload[];
  /** Pods considered for sidecars (all namespaces, or the -n namespace). */
  pods: KubeObject[];
  /** What the collector wants the user to know (a fallback from xDS to HTTP), for stderr. */
  notes?: string[];
  /** Set when istiod could not be read and only the pods were listed (listWithoutIstiod): the error. */
  istiodError?: Error;
}

export interface ControlPlane {
  pod: string;
  namespace: string;
  revision: string;
  version: string | null;
}

/** A problem mesh reports about a proxy; any of them makes the exit code 79. */
export type Finding = 'STALE' | 'NACKED' | 'NOT_CONNECTED' | 'OUTDATED';

export interface ProxyRow {
  /** `<pod>.<namespace>`, as istioctl names proxies. */
  name: string;
  pod: string;
  namespace: string;
  cluster: string | null;
  /** The istiod pod the proxy is connected to; null when NOT CONNECTED. */
  istiod: string | null;
  connected: boolean;
  /** The proxy's Istio version: ISTIO_VERSION from istiod, else the istio-proxy image tag. */
  version: string | null;
  /** The version of the control plane the proxy belongs to (its istiod, or its revision's). */
  controlPlaneVersion: string | null;
  outdated: boolean;
  /** Types the proxy watches (status other than IGNORED), in column order. */
  subscribed: XdsType[];
  /** Per-type status; all null when not connected. */
  types: Record<XdsType, TypeStatus | null>;
  findings: Finding[];
}

export interface StatusSummary {
  proxies: number;
  synced: number;
  stale: number;
  nacked: number;
  notConnected: number;
  outdated: number;
}

export interface StatusReport {
  /** Shape marker for scripts; bump only on incompatible change. */
  apiVersion: 'mesh.istio.io/v1alpha1';
  kind: 'ProxyStatus';
  controlPlanes: ControlPlane[];
  proxies: ProxyRow[];
  summary: StatusSummary;
}
