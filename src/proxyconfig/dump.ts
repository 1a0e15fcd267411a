/**
 * Reading an Envoy admin `/config_dump` (and `/clusters?format=json`): find each section by its
 * @type and take its resources out, in either field spelling (Envoy writes snake_case, protojson
 * camelCase). Pure: parsed JSON in, plain data out.
 */
import { InputError } from '../errors.js';
import { asArray, isRecord, scalarText } from '../util/narrow.js';

export type Json = Record<string, unknown>;

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A field by its proto name, in snake_case or camelCase. */
export function field(o: unknown, name: string): unknown {
  if (!isRecord(o)) return undefined;
  return o[name] ?? o[camel(name)];
}
/** The field as a map, or undefined. */
export const fieldRecord = (o: unknown, name: string): Json | undefined => {
  const v = field(o, name);
  return isRecord(v) ? v : undefined;
};
/** The field as a list, or []. */
export const fieldArray = (o: unknown, name: string): unknown[] => asArray(field(o, name));
/** The field as text (a number too: proto int64s come as either), or ''. */
export const fieldText = (o: unknown, name: string): string => scalarText(field(o, name));
/** The field as a number (a numeric string too), or 0. */
export const fieldNumber = (o: unknown, name: string): number => {
  const v = field(o, name);
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
};

const SECTIONS = {
  bootstrap: 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
  clusters: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
  listeners: 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
  routes: 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  secrets: 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
  endpoints: 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
} as const;

export interface ConfigDump {
  bootstrap: Json | undefined;
  clusters: Json[];
  listeners: Json[];
  routes: Json[];
  secrets: { name: string; versionInfo: string; lastUpdated: string; secret: Json; state: 'ACTIVE' | 'WARMING' }[];
  /** Names of the static clusters, listeners and routes (from the bootstrap, not from istiod). */
  staticNames: string[];
  /** The whole document, for -o json of `all`. */
  raw: Json;
}

/** Parses a config dump; `where` names it in errors (a file, or `pod ns/name`). */
export function parseConfigDump(doc: unknown, where: string): ConfigDump {
  if (!isRecord(doc) || !Array.isArray(doc['configs'])) {
    throw new InputError(`${where}: not an Envoy config dump (want a JSON object with "configs": [...], as /config_dump answers)`);
  }
  const configs = doc['configs'] as unknown[];
  const section = (type: string): Json | undefined => configs.find((c): c is Json => isRecord(c) && c['@type'] === type);
  const clusters = section(SECTIONS.clusters);
  const listeners = section(SECTIONS.listeners);
  const routes = section(SECTIONS.routes);
  const secrets = section(SECTIONS.secrets);
  const out: ConfigDump = {
    bootstrap: fieldRecord(section(SECTIONS.bootstrap), 'bootstrap'),
    clusters: [
      ...fieldArray(clusters, 'dynamic_active_clusters').map((c) => fieldRecord(c, 'cluster')),
      ...fieldArray(clusters, 'static_clusters').map((c) => fieldRecord(c, 'cluster')),
    ].filter((c): c is Json => c !== undefined),
    listeners: [
      ...fieldArray(listeners, 'dynamic_listeners').map((l) => fieldRecord(fieldRecord(l, 'active_state'), 'listener')),
      ...fieldArray(listeners, 'static_listeners').map((l) => fieldRecord(l, 'listener')),
    ].filter((l): l is Json => l !== undefined),
    routes: [
      ...fieldArray(routes, 'dynamic_route_configs').map((r) => fieldRecord(r, 'route_config')),
      ...fieldArray(routes, 'static_route_configs').map((r) => fieldRecord(r, 'route_config')),
    ].filter((r): r is Json => r !== undefined),
    secrets: [],
    staticNames: [
      ...fieldArray(clusters, 'static_clusters').map((c) => fieldText(fieldRecord(c, 'cluster'), 'name')),
      ...fieldArray(listeners, 'static_listeners').map((l) => fieldText(fieldRecord(l, 'listener'), 'name')),
      ...fieldArray(routes, 'static_route_configs').map((r) => fieldText(fieldRecord(r, 'route_config'), 'name')),
    ],
    raw: doc,
  };
  for (const [key, state] of [
    ['dynamic_active_secrets', 'ACTIVE'],
    ['dynamic_warming_secrets', 'WARMING'],
    ['static_secrets', 'ACTIVE'],
  ] as const) {
    for (const s of fieldArray(secrets, key)) {
      const secret = fieldRecord(s, 'secret');
      if (secret === undefined) continue;
      out.secrets.push({
        name: fieldText(s, 'name') || fieldText(secret, 'name'),
        versionInfo: fieldText(s, 'version_info'),
        lastUpdated: fieldText(s, 'last_updated'),
        secret,
        state,
      });
    }
  }
  return out;
}

/** `/clusters?format=json`: cluster_statuses[].host_statuses[]. */
export interface ClusterStatus {
  name: string;
  hosts: Json[];
}

export function parseClusters(doc: unknown, where: string): ClusterStatus[] {
  if (!isRecord(doc) || !Array.isArray(field(doc, 'cluster_statuses'))) {
    throw new InputError(`${where}: not Envoy's /clusters?format=json (want a JSON object with "cluster_statuses": [...])`);
  }
  return fieldArray(doc, 'cluster_statuses')
    .filter(isRecord)
    .map((c) => ({ name: fieldText(c, 'name'), hosts: fieldArray(c, 'host_statuses').filter(isRecord) }));
}
