/**
 * A few of istiod's own validation rules (what its validating webhook and istioctl's schema
 * analyzer report beyond the CRD schema), with istioctl's wording, so IST0106/IST0133 read the same:
 * - VirtualService: `http, tcp or tls must be provided in virtual service`;
 * - Sidecar: `sidecar: empty configuration provided` (no egress, ingress, outboundTrafficPolicy or
 *   inboundConnectionPool);
 * - AuthorizationPolicy: CUSTOM without rules;
 * - EnvoyFilter: always the warning that it exposes implementation details, and one for filters
 *   named by a deprecated name without typed_config.
 * The rest of istiod's validation is not reproduced; docs/analyzers/parity.md lists what differs.
 */
import type { KindId } from '../kinds.js';
import type { FieldPath } from '../types.js';
import { asArray, asRecord, isRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export interface SemanticIssue {
  level: 'error' | 'warning';
  message: string;
  path?: FieldPath;
}

/** Envoy's deprecated well-known filter names that istiod warns about when used without typed_config. */
const DEPRECATED_FILTER_NAMES = new Set([
  'envoy.buffer',
  'envoy.cors',
  'envoy.ext_authz',
  'envoy.fault',
  'envoy.filters.http.gzip',
  'envoy.grpc_json_transcoder',
  'envoy.grpc_web',
  'envoy.gzip',
  'envoy.health_check',
  'envoy.http_connection_manager',
  'envoy.ip_tagging',
  'envoy.lua',
  'envoy.mongo_proxy',
  'envoy.ratelimit',
  'envoy.rate_limit',
  'envoy.router',
  'envoy.tcp_proxy',
  'envoy.wasm',
]);

export function istioSemanticIssues(kind: KindId, object: Record<string, unknown>): SemanticIssue[] {
  const spec = asRecord(object['spec']);
  const meta = asRecord(object['metadata']);
  switch (kind) {
    case 'VirtualService':
      if (asArray(spec['http']).length === 0 && asArray(spec['tcp']).length === 0 && asArray(spec['tls']).length === 0) {
        return [{ level: 'error', message: 'http, tcp or tls must be provided in virtual service' }];
      }
      return [];
    case 'Sidecar':
      if (
        asArray(spec['egress']).length === 0 &&
        asArray(spec['ingress']).length === 0 &&
        !isRecord(spec['outboundTrafficPolicy']) &&
        !isRecord(spec['inboundConnectionPool'])
      ) {
        return [{ level: 'error', message: 'sidecar: empty configuration provided' }];
      }
      return [];
    case 'AuthorizationPolicy':
      if (stringOrUndefined(spec['action']) === 'CUSTOM' && !Array.isArray(spec['rules'])) {
        return [
          {
            level: 'error',
            message: `invalid policy ${stringOrUndefined(meta['name']) ?? ''}.${stringOrUndefined(meta['namespace']) ?? ''}: CUSTOM action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request`,
          },
        ];
      }
      return [];
    case 'EnvoyFilter': {
      const out: SemanticIssue[] = [
        {
          level: 'warning',
          message:
            'EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.',
        },
      ];
      recordsIn(spec['configPatches']).forEach((cp, i) => {
        const value = asRecord(asRecord(cp['patch'])['value']);
        const name = stringOrUndefined(value['name']);
        if (name !== undefined && DEPRECATED_FILTER_NAMES.has(name) && value['typed_config'] === undefined && value['typedConfig'] === undefined) {
          out.push({
            level: 'warning',
            message: `using deprecated types by name without typed_config; ${name}`,
            path: ['spec', 'configPatches', i, 'patch', 'value', 'name'],
          });
        }
      });
      return out;
    }
    default:
      return [];
  }
}
