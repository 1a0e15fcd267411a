/**
 * proxy-config tables: istioctl's columns (its `short` output), rendered with mesh's table printer.
 * Pure.
 */
import { Chalk } from 'chalk';
import { renderTable } from '../output/format.js';
import type { ClusterRow, EndpointRow, ListenerRow, RouteRow, SecretRow } from './tables.js';

export function clusterTable(rows: readonly ClusterRow[]): string {
  return renderTable(rows, [
    { header: 'SERVICE FQDN', value: (r) => r.fqdn },
    { header: 'PORT', value: (r) => r.port },
    { header: 'SUBSET', value: (r) => r.subset },
    { header: 'DIRECTION', value: (r) => r.direction },
    { header: 'TYPE', value: (r) => r.type },
    { header: 'DESTINATION RULE', value: (r) => r.destinationRule },
  ]);
}

export function listenerTable(rows: readonly ListenerRow[]): string {
  return renderTable(rows, [
    { header: 'ADDRESSES', value: (r) => r.addresses },
    { header: 'PORT', value: (r) => String(r.port) },
    { header: 'MATCH', value: (r) => r.match },
    { header: 'DESTINATION', value: (r) => r.destination },
  ]);
}

export function routeTable(rows: readonly RouteRow[]): string {
  return renderTable(rows, [
    { header: 'NAME', value: (r) => r.name },
    { header: 'VHOST NAME', value: (r) => r.vhost },
    { header: 'DOMAINS', value: (r) => r.domains },
    { header: 'MATCH', value: (r) => r.match },
    { header: 'VIRTUAL SERVICE', value: (r) => r.virtualService },
  ]);
}

export function endpointTable(rows: readonly EndpointRow[]): string {
  return renderTable(rows, [
    { header: 'ENDPOINT', value: (r) => r.endpoint },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'OUTLIER CHECK', value: (r) => r.outlierCheck },
    { header: 'CLUSTER', value: (r) => r.cluster },
  ]);
}

/** istioctl's secret columns, then mesh's EXPIRES IN and WARNING. */
export function secretTable(rows: readonly SecretRow[], options: { color?: boolean } = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  return renderTable(rows, [
    { header: 'RESOURCE NAME', value: (r) => r.name },
    { header: 'TYPE', value: (r) => r.type },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'VALID CERT', value: (r) => String(r.valid) },
    { header: 'SERIAL NUMBER', value: (r) => r.serial },
    { header: 'NOT AFTER', value: (r) => r.notAfter },
    { header: 'NOT BEFORE', value: (r) => r.notBefore },
    { header: 'EXPIRES IN', value: (r) => r.expiresIn },
    { header: 'WARNING', value: (r) => (r.warning === null ? '' : c.yellow(r.warning)) },
  ]);
}
