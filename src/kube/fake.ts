/* eslint-disable @typescript-eslint/require-await -- the fake implements the async KubeClient: an async method turns a throw into a rejected promise, as the real client's requests fail */
import {
  type ApplyOptions,
  type ClusterInfo,
  type DeleteOptions,
  type KubeClient,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PatchType,
  type PortForwardHandle,
  type ResourceInfo,
  type WatchEventType,
  type WatchOptions,
  KubeApiError,
  NotServedError,
  describeRef,
  podSummary,
} from './client.js';
import { isRecord } from '../util/narrow.js';
import { labelsMatchSelectorString } from '../model/label-selector.js';

/**
 * An in-memory KubeClient for unit tests. It stores plain objects, bumps resourceVersion and
 * generation, supports label selectors of the form a=b,c!=d,e and records every call in `calls`.
 * It does not run controllers: tests change status themselves (e.g. with `update`).
 */
export class FakeKubeClient implements KubeClient {
  readonly calls: string[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Set<(type: WatchEventType, obj: KubeObject) => void>();
  private rv = 1;
  private readonly clusterScoped = new Set([
    'Namespace',
    'Node',
    'CustomResourceDefinition',
    'ClusterRole',
    'ClusterRoleBinding',
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
  ]);
  /** Kinds the fake pretends are not served (e.g. Istio CRDs not installed). */
  readonly notServed = new Set<string>();
  tokens = new Map<string, string>();
  /** Port-forward targets: `ns/pod:port` → a local port (e.g. of a test server); unlisted targets fail. */
  readonly portForwards = new Map<string, number>();

  constructor(initial: readonly KubeObject[] = []) {
    for (const o of initial) this.put(structuredClone(o));
  }

  info(): ClusterInfo {
    return { context: 'fake', server: 'https://fake.invalid', namespace: 'default' };
  }

  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return { major: '1', minor: '35', gitVersion: 'v1.35.0' };
  }

  async raw(path: string): Promise<unknown> {
    this.calls.push(`raw ${path}`);
    return 'ok';
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    if (this.notServed.has(kind)) return undefined;
    return { apiVersion, kind, resource: kind.toLowerCase() + 's', namespaced: !this.clusterScoped.has(kind) };
  }

  /** All stored objects (copies). */
  all(): KubeObject[] {
    return [...this.objects.values()].map((o) => structuredClone(o));
  }

  /** Replace an object as a controller would (no call recorded), notifying watchers. */
  update(obj: KubeObject): KubeObject {
    const existing = this.objects.get(keyOf(obj));
    const stored = this.put(structuredClone(obj), existing);
    this.emit(existing ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    this.calls.push(`get ${describeRef(ref)}`);
    this.served(ref);
    const o = this.objects.get(keyOf(ref));
    return o ? structuredClone(o) : undefined;
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    this.calls.push(`list ${kind}${options.namespace ? ` ${options.namespace}` : ''}`);
    this.served({ apiVersion, kind });
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && o.apiVersion === apiVersion)
      .filter((o) => options.namespace === undefined || o.metadata.namespace === options.namespace)
      .filter((o) => matchesSelector(o.metadata.labels ?? {}, options.labelSelector))
      .map((o) =>
        options.metadataOnly
          ? { apiVersion, kind, metadata: structuredClone(o.metadata) }
          : options.podSummary && kind === 'Pod' && apiVersion === 'v1'
            ? podSummary(o)
            : structuredClone(o),
      );
  }

  async create(obj: KubeObject, options: { dryRun?: boolean } = {}): Promise<KubeObject> {
    this.calls.push(`create ${describeRef({ kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace })}`);
    this.served(obj);
    if (this.objects.has(keyOf(obj))) throw new KubeApiError(409, 'AlreadyExists', `${describeRef(refLike(obj))} already exists`, 'create');
    if (options.dryRun) return structuredClone(obj);
    return this.update(obj);
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    this.calls.push(`apply ${options.dryRun ? '--dry-run ' : ''}${describeRef(refLike(obj))}`);
    this.served(obj);
    const existing = this.objects.get(keyOf(obj));
    const merged = existing ? deepMerge(existing, obj) : structuredClone(obj);
    if (options.dryRun) return merged as KubeObject;
    return this.update(merged as KubeObject);
  }

  async patch(ref: ObjectRef, patch: unknown, type: PatchType, options: { dryRun?: boolean } = {}): Promise<KubeObject> {
    this.calls.push(`patch ${describeRef(ref)}`);
    this.served(ref);
    const existing = this.objects.get(keyOf(ref));
    if (!existing) throw new KubeApiError(404, 'NotFound', `${describeRef(ref)} not found`, 'patch');
    if (type === 'json') throw new Error('FakeKubeClient does not implement JSON patch');
    const merged = deepMerge(existing, patch) as KubeObject;
    if (options.dryRun) return merged;
    return this.update(merged);
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    this.calls.push(`delete ${describeRef(ref)}`);
    this.served(ref);
    const existing = this.objects.get(keyOf(ref));
    if (!existing) return false;
    const pre = options.preconditions;
    if (pre?.uid !== undefined && pre.uid !== existing.metadata.uid) return false;
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw new KubeApiError(
        409,
        'Conflict',
        `${describeRef(ref)}: Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
        'delete',
      );
    }
    if (options.dryRun) return true;
    this.objects.delete(keyOf(ref));
    this.emit('DELETED', existing);
    return true;
  }

  async watch(
    apiVersion: string,
    kind: string,
    options: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => boolean | void,
    signal?: AbortSignal,
  ): Promise<void> {
    this.calls.push(`watch ${kind}${options.namespace ? ` ${options.namespace}` : ''}`);
    const matches = (o: KubeObject): boolean =>
      o.kind === kind &&
      o.apiVersion === apiVersion &&
      (options.namespace === undefined || o.metadata.namespace === options.namespace) &&
      matchesSelector(o.metadata.labels ?? {}, options.labelSelector) &&
      matchesFields(o, options.fieldSelector);
    if (options.resourceVersion === undefined) {
      for (const o of this.objects.values()) if (matches(o) && onEvent('ADDED', structuredClone(o)) === true) return;
    }
    await new Promise<void>((resolve) => {
      const listener = (type: WatchEventType, obj: KubeObject): void => {
        if (!matches(obj)) return;
        if (onEvent(type, structuredClone(obj)) === true) finish();
      };
      const finish = (): void => {
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
      signal?.addEventListener('abort', finish, { once: true });
      if (signal?.aborted) finish();
    });
  }

  async createToken(namespace: string, serviceAccount: string): Promise<string> {
    this.calls.push(`token ${namespace}/${serviceAccount}`);
    return this.tokens.get(`${namespace}/${serviceAccount}`) ?? `token-${namespace}-${serviceAccount}`;
  }

  async portForward(namespace: string, pod: string, port: number): Promise<PortForwardHandle> {
    this.calls.push(`port-forward ${namespace}/${pod}:${port}`);
    const localPort = this.portForwards.get(`${namespace}/${pod}:${port}`);
    if (localPort === undefined) {
      throw new KubeApiError(0, 'Unreachable', `FakeKubeClient has no port-forward for ${namespace}/${pod}:${port}`, 'port-forward');
    }
    return { localPort, close: async () => {} };
  }

  private served(ref: { apiVersion: string; kind: string }): void {
    if (this.notServed.has(ref.kind)) throw new NotServedError(ref.apiVersion, ref.kind);
  }

  private put(obj: KubeObject, existing?: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.uid ??= existing?.metadata.uid ?? `uid-${this.rv}`;
    obj.metadata.creationTimestamp ??= existing?.metadata.creationTimestamp ?? '2026-01-01T00:00:00Z';
    const specChanged = existing === undefined || JSON.stringify(existing['spec']) !== JSON.stringify(obj['spec']);
    obj.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    this.objects.set(keyOf(obj), obj);
    return obj;
  }

  private emit(type: WatchEventType, obj: KubeObject): void {
    for (const l of [...this.listeners]) l(type, obj);
  }
}

function refLike(obj: KubeObject): { kind: string; name?: string; namespace?: string } {
  const r: { kind: string; name?: string; namespace?: string } = { kind: obj.kind };
  if (obj.metadata.name !== undefined) r.name = obj.metadata.name;
  if (obj.metadata.namespace !== undefined) r.namespace = obj.metadata.namespace;
  return r;
}

function keyOf(o: { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string }; name?: string; namespace?: string }): string {
  const name = o.metadata?.name ?? o.name ?? '';
  const ns = o.metadata?.namespace ?? o.namespace ?? '';
  return `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${ns}/${name}`;
}

/** JSON merge patch semantics (RFC 7396): objects merge, null deletes, everything else replaces. */
export function deepMerge(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out = isRecord(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(out[k], v);
  }
  return out;
}

export function matchesSelector(labels: Record<string, string>, selector: string | undefined): boolean {
  return selector === undefined || labelsMatchSelectorString(labels, selector);
}

function matchesFields(o: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [path, value] = term.split('=');
    if (path === 'metadata.name') return o.metadata.name === value;
    if (path === 'metadata.namespace') return o.metadata.namespace === value;
    return true;
  });
}
