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
import { arr, isObj, obj, objs, str } from './data.js';

export interface SemanticIssue {
  level: 'error' | 'warning';
  message: string;
  path?: FieldPath;
}

/** Envoy's deprecated well-known filter names that istiod warns about when used without typed_config. */
const DEPRECATED_FILTER_NAMES = new Set([
  'envoy.buffer', 'envoy.cors', 'envoy.ext_authz', 'envoy.fault', 'envoy.filters.http.gzip', 'envoy.grpc_json_transcoder',
  'envoy.grpc_web', 'envoy.gzip', 'envoy.health_check', 'envoy.http_connection_manager', 'envoy.ip_tagging', 'envoy.lua',
  'envoy.mongo_proxy', 'envoy.ratelimit', 'envoy.rate_limit', 'envoy.router', 'envoy.tcp_proxy', 'envoy.wasm',
]);

export function istioSemanticIssues(kind: KindId, object: Record<string, unknown>): SemanticIssue[] {
  const spec = obj(object['spec']);
  const meta = obj(object['metadata']);
  switch (kind) {
    case 'VirtualService':
      if (arr(spec['http']).length === 0 && arr(spec['tcp']).length === 0 && arr(spec['tls']).length === 0) {
        return [{ level: 'error', message: 'http, tcp or tls must be provided in virtual service' }];
      }
      return [];
    case 'Sidecar':
      if (arr(spec['egress']).length === 0 && arr(spec['ingress']).length === 0 && !isObj(spec['outboundTrafficPolicy']) && !isObj(spec['inboundConnectionPool'])) {
        return [{ level: 'error', message: 'sidecar: empty configuration provided' }];
      }
      return [];
    case 'AuthorizationPolicy':
      if (str(spec['action']) === 'CUSTOM' && !Array.isArray(spec['rules'])) {
        return [
          {
            level: 'error',
            message: `invalid policy ${str(meta['name']) ?? ''}.${str(meta['namespace']) ?? ''}: CUSTOM action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request`,
          },
        ];
      }
      return [];
    case 'EnvoyFilter': {
      const out: SemanticIssue[] = [
        { level: 'warning', message: 'EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.' },
      ];
      objs(spec['configPatches']).forEach((cp, i) => {
        const value = obj(obj(cp['patch'])['value']);
        const name = str(value['name']);
        if (name !== undefined && DEPRECATED_FILTER_NAMES.has(name) && value['typed_config'] === undefined && value['typedConfig'] === undefined) {
          out.push({ level: 'warning', message: `using deprecated types by name without typed_config; ${name}`, path: ['spec', 'configPatches', i, 'patch', 'value', 'name'] });
        }
      });
      return out;
    }
    default:
      return [];
  }
}
