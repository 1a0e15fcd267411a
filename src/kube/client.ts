/**
 * The one interface through which mesh talks to a Kubernetes API server.
 * Objects are plain JSON data (never class instances); callers narrow them.
 * Implementations: real.ts (the API server) and fake.ts (in memory, for unit tests).
 */
import type { KubeObject } from '../model/k8s.js';

export type { KubeObject, ObjectMeta } from '../model/k8s.js';

/** A container as podSummary() keeps it. */
export interface SummaryContainer {
  name: string;
  image?: string;
  /** Only ports with a containerPort; a port's name only when it has one. */
  ports?: { name?: string; containerPort: number }[];
  securityContext?: { runAsUser: number };
}

/**
 * What proxy-status and analyze need of a pod: metadata (name, namespace, uid, resourceVersion,
 * creationTimestamp, deletionTimestamp, labels, annotations), spec.containers and spec.initContainers
 * (name, image, the ports' name and containerPort, securityContext.runAsUser), spec.hostNetwork (only
 * when true), spec.securityContext.runAsUser, and status (phase, podIP). The same shape whether read
 * from protobuf or projected from JSON. An analyzer that reads any other field of a cluster's Pods
 * must add it here and in the protobuf reader (src/kube/real/protobuf.ts).
 */
export function podSummary(pod: KubeObject): KubeObject {
  const m = pod.metadata;
  const metadata: KubeObject['metadata'] = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp !== undefined) metadata.creationTimestamp = m.creationTimestamp;
  if (m.deletionTimestamp !== undefined) metadata.deletionTimestamp = m.deletionTimestamp;
  if (m.labels !== undefined) metadata.labels = { ...m.labels };
  if (m.annotations !== undefined) metadata.annotations = { ...m.annotations };
  interface JsonContainer {
    name?: string;
    image?: string;
    ports?: { name?: string; containerPort?: number }[];
    securityContext?: { runAsUser?: number };
  }
  const spec = (pod['spec'] ?? {}) as {
    containers?: JsonContainer[];
    initContainers?: JsonContainer[];
    hostNetwork?: boolean;
    securityContext?: { runAsUser?: number };
  };
  const slim = (cs: JsonContainer[]): SummaryContainer[] =>
    cs.map((c) => {
      const out: SummaryContainer = { name: c.name ?? '' };
      if (c.image !== undefined) out.image = c.image;
      const ports = (c.ports ?? []).filter((p) => typeof p.containerPort === 'number');
      if (ports.length > 0) out.ports = ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort as number }));
      if (typeof c.securityContext?.runAsUser === 'number') out.securityContext = { runAsUser: c.securityContext.runAsUser };
      return out;
    });
  const status = (pod['status'] ?? {}) as { phase?: string; podIP?: string };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      containers: slim(spec.containers ?? []),
      ...(spec.initContainers !== undefined ? { initContainers: slim(spec.initContainers) } : {}),
      ...(spec.hostNetwork === true ? { hostNetwork: true } : {}),
      ...(typeof spec.securityContext?.runAsUser === 'number' ? { securityContext: { runAsUser: spec.securityContext.runAsUser } } : {}),
    },
    status: { ...(status.phase !== undefined ? { phase: status.phase } : {}), ...(status.podIP !== undefined ? { podIP: status.podIP } : {}) },
  };
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  /** Omit for all namespaces (or for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; list() follows continue tokens until the end. */
  limit?: number;
  /** Ask only for metadata (PartialObjectMetadata), e.g. to see Secrets without their data. */
  metadataOnly?: boolean;
  /**
   * v1 Pods only: each pod reduced to podSummary()'s fields. A real API server is asked for
   * protobuf, which is a third of the bytes of JSON and read without building the rest.
   */
  podSummary?: boolean;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json';

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  dryRun?: boolean;
  /**
   * Delete only this object: with `uid`, an object recreated under the same name (a StatefulSet's
   * new pod) is left alone and delete() returns false, as for an object already gone. A delete
   * without a uid is not retried after a lost response, since the retry could hit such a new object.
   */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'metadataOnly'> {
  /** Start from this resourceVersion; omit to get synthetic ADDED events for existing objects first. */
  resourceVersion?: string;
}

export interface ResourceInfo {
  /** Plural resource name, e.g. deployments. */
  resource: string;
  namespaced: boolean;
  kind: string;
  apiVersion: string;
}

export interface ClusterInfo {
  context: string;
  server: string;
  /** The context's namespace, or "default". */
  namespace: string;
}

export interface PortForwardHandle {
  /** A local 127.0.0.1 port that tunnels to the pod's port. */
  localPort: number;
  /** The last error the API server or kubelet reported for a connection (e.g. the pod port refused it). */
  lastError?: () => string | undefined;
  close(): Promise<void>;
}

export interface KubeClient {
  info(): ClusterInfo;
  /** The API server's version, e.g. { major: "1", minor: "35", gitVersion: "v1.35.1" }. */
  serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }>;
  /** Discovery: undefined when the kind is not served (e.g. a CRD not installed). */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;
  /** undefined when not found. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** All pages. Throws NotServedError when the kind is not served. */
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  create(obj: KubeObject, options?: { dryRun?: boolean }): Promise<KubeObject>;
  /** Server-side apply. */
  apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  patch(ref: ObjectRef, patch: unknown, type: PatchType, options?: { fieldManager?: string; dryRun?: boolean }): Promise<KubeObject>;
  /** false when it was already gone. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;
  /**
   * Watch until the signal aborts or onEvent returns true ("done"). Re-watches from the last
   * resourceVersion when the server closes the stream; relists on 410 Gone.
   */
  watch(
    apiVersion: string,
    kind: string,
    options: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => boolean | void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** TokenRequest API: a short-lived token for a service account. */
  createToken(namespace: string, serviceAccount: string, options?: { audiences?: string[]; expirationSeconds?: number }): Promise<string>;
  /** Port-forward through the API server to a pod's port. */
  portForward(namespace: string, pod: string, port: number): Promise<PortForwardHandle>;
  /** Raw GET of a path on the API server (e.g. /readyz), returning the parsed body or text. */
  raw(path: string): Promise<unknown>;
}

/** An error from the API server, with the HTTP status and Status reason/message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly target: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
  /**
   * True when an earlier attempt of the same request may have been carried out (its response was
   * lost, or a 5xx came back), so e.g. a 404 on a retried delete means the first attempt deleted it.
   */
  afterLostResponse = false;
  /** 429, 5xx and connection errors are worth retrying. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500 || this.status === 0;
  }
}

export class NotServedError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`the server does not serve ${kind} (${apiVersion})`);
    this.name = 'NotServedError';
  }
}

export function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '' };
  if (obj.metadata.namespace !== undefined) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** `Kind ns/name` or `Kind name`, the way mesh names objects in messages. */
export function describeRef(ref: { kind: string; name?: string | undefined; namespace?: string | undefined }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name ?? ''}` : `${ref.kind} ${ref.name ?? ''}`;
}
