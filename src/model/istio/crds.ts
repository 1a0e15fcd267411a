import type { KubeObject } from '../k8s.js';
import type { IstioKindSchema, JSONSchemaProps } from './schema-types.js';
import { istioStatus } from './schemas/common.js';
import { authorizationPolicy } from './schemas/authorization-policy.js';
import { destinationRule } from './schemas/destination-rule.js';
import { envoyFilter } from './schemas/envoy-filter.js';
import { gateway } from './schemas/gateway.js';
import { peerAuthentication } from './schemas/peer-authentication.js';
import { proxyConfig } from './schemas/proxy-config.js';
import { requestAuthentication } from './schemas/request-authentication.js';
import { serviceEntry } from './schemas/service-entry.js';
import { sidecar } from './schemas/sidecar.js';
import { telemetry } from './schemas/telemetry.js';
import { trafficExtension } from './schemas/traffic-extension.js';
import { virtualService } from './schemas/virtual-service.js';
import { wasmPlugin } from './schemas/wasm-plugin.js';
import { workloadEntry } from './schemas/workload-entry.js';
import { workloadGroup } from './schemas/workload-group.js';

export type { IstioKindSchema, JSONSchemaProps } from './schema-types.js';

/**
 * The 15 Istio kinds of a 1.31 base install, ordered by CRD name (group, then plural) — the order
 * istioCrds() returns them in.
 */
export const ISTIO_KIND_SCHEMAS: readonly IstioKindSchema[] = [
  trafficExtension,
  wasmPlugin,
  destinationRule,
  envoyFilter,
  gateway,
  proxyConfig,
  serviceEntry,
  sidecar,
  virtualService,
  workloadEntry,
  workloadGroup,
  authorizationPolicy,
  peerAuthentication,
  requestAuthentication,
  telemetry,
].sort((a, b) => (crdName(a) < crdName(b) ? -1 : crdName(a) > crdName(b) ? 1 : 0));

/** Light metadata about an Istio kind, for code that needs to know which kinds exist. */
export interface IstioKindInfo {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  versions: readonly string[];
  storageVersion: string;
  namespaced: boolean;
  shortNames: readonly string[];
  /** `<plural>.<group>` */
  crdName: string;
}

export const ISTIO_KINDS: readonly IstioKindInfo[] = ISTIO_KIND_SCHEMAS.map((k) => ({
  group: k.group,
  kind: k.kind,
  plural: k.plural,
  singular: k.singular,
  versions: [...k.versions],
  storageVersion: k.storageVersion,
  namespaced: k.namespaced,
  shortNames: [...k.shortNames],
  crdName: crdName(k),
}));

function crdName(k: { plural: string; group: string }): string {
  return `${k.plural}.${k.group}`;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The Istio kind an object's apiVersion and kind name, or undefined when it is not an Istio kind or
 * the version is not served (`networking.istio.io/v1beta2`).
 */
export function istioKind(apiVersion: string, kind: string): IstioKindInfo | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const info = ISTIO_KINDS.find((k) => k.group === group && k.kind === kind);
  return info && info.versions.includes(version) ? info : undefined;
}

/** Whether apiVersion belongs to one of Istio's API groups (whatever the version). */
export function isIstioGroup(apiVersion: string): boolean {
  const { group } = splitApiVersion(apiVersion);
  return ISTIO_KINDS.some((k) => k.group === group);
}

/** The schema data of a kind (by group and kind name), or undefined. */
export function istioKindSchema(group: string, kind: string): IstioKindSchema | undefined {
  return ISTIO_KIND_SCHEMAS.find((k) => k.group === group && k.kind === kind);
}

/** The full openAPIV3Schema of one version of a kind: the object with spec and status. */
export function objectSchema(k: IstioKindSchema): JSONSchemaProps {
  const root: JSONSchemaProps = {
    type: 'object',
    properties: { spec: k.spec, status: istioStatus() },
  };
  if (k.specRequired) root.required = ['spec'];
  return root;
}

/**
 * The Istio CustomResourceDefinitions (base component) with structural openAPIV3 schemas.
 * Contract: deterministic order (by CRD name), apiextensions.k8s.io/v1 objects, fresh objects on every
 * call (callers may mutate them), without install labels (the renderer adds those).
 */
export function istioCrds(): KubeObject[] {
  return ISTIO_KIND_SCHEMAS.map((k) => structuredClone(crdOf(k)));
}

function crdOf(k: IstioKindSchema): KubeObject {
  const names: Record<string, unknown> = {
    categories: [...k.categories],
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
  };
  if (k.shortNames.length > 0) names.shortNames = [...k.shortNames];
  names.singular = k.singular;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: crdName(k),
      annotations: { 'helm.sh/resource-policy': 'keep' },
    },
    spec: {
      group: k.group,
      names,
      scope: k.namespaced ? 'Namespaced' : 'Cluster',
      versions: k.versions.map((v) => {
        const version: Record<string, unknown> = {};
        if (k.printerColumns.length > 0) version.additionalPrinterColumns = k.printerColumns.map((c) => ({ ...c }));
        version.name = v;
        version.schema = { openAPIV3Schema: objectSchema(k) };
        version.served = true;
        version.storage = v === k.storageVersion;
        version.subresources = { status: {} };
        return version;
      }),
    },
  };
}
