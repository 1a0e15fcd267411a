/** networking.istio.io EnvoyFilter (istio/api networking/v1alpha3/envoy_filter.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { arr, atMostOneRule, cel, enumOf, freeform, int32, networkingWorkloadSelector, obj, PORT_RULE, str, strMap, targetRefs, uint32 } from './common.js';

const subFilter = () => obj({ name: str(), subFilter: obj({ name: str() }) });

export const envoyFilter: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'EnvoyFilter',
  plural: 'envoyfilters',
  singular: 'envoyfilter',
  shortNames: [],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1alpha3'],
  storageVersion: 'v1alpha3',
  namespaced: true,
  printerColumns: [],
  specRequired: false,
  spec: obj(
    {
      configPatches: arr(
        obj({
          applyTo: enumOf([
            'INVALID',
            'LISTENER',
            'FILTER_CHAIN',
            'NETWORK_FILTER',
            'HTTP_FILTER',
            'ROUTE_CONFIGURATION',
            'VIRTUAL_HOST',
            'HTTP_ROUTE',
            'CLUSTER',
            'EXTENSION_CONFIG',
            'BOOTSTRAP',
            'LISTENER_FILTER',
          ]),
          match: obj(
            {
              cluster: obj({ name: str(), portNumber: uint32(), service: str(), subset: str() }),
              context: enumOf(['ANY', 'SIDECAR_INBOUND', 'SIDECAR_OUTBOUND', 'GATEWAY', 'WAYPOINT']),
              listener: obj({
                filterChain: obj({
                  applicationProtocols: str(),
                  destinationPort: uint32(),
                  filter: subFilter(),
                  name: str(),
                  sni: str(),
                  transportProtocol: str(),
                }),
                listenerFilter: str(),
                name: str(),
                portName: str(),
                portNumber: uint32(),
              }),
              proxy: obj({ metadata: strMap(), proxyVersion: str() }),
              routeConfiguration: obj({
                gateway: str(),
                name: str(),
                portName: str(),
                portNumber: uint32(),
                vhost: obj({
                  domainName: str(),
                  name: str(),
                  route: obj({ action: enumOf(['ANY', 'ROUTE', 'REDIRECT', 'DIRECT_RESPONSE']), name: str() }),
                }),
              }),
              waypoint: obj({ filter: subFilter(), portNumber: uint32({ 'x-kubernetes-validations': [PORT_RULE()] }), route: obj({ name: str() }) }),
            },
            {
              oneofs: [['listener', 'routeConfiguration', 'cluster', 'waypoint']],
              'x-kubernetes-validations': [
                cel("has(self.waypoint) == (has(self.context) && self.context == 'WAYPOINT')", 'waypoint is matched exactly when context is WAYPOINT'),
              ],
            },
          ),
          patch: obj({
            filterClass: enumOf(['UNSPECIFIED', 'AUTHN', 'AUTHZ', 'STATS']),
            operation: enumOf(['INVALID', 'MERGE', 'ADD', 'REMOVE', 'INSERT_BEFORE', 'INSERT_AFTER', 'INSERT_FIRST', 'REPLACE', 'MERGE_AND_REPLACE_LIST']),
            value: freeform(),
          }),
        }),
      ),
      priority: int32(),
      targetRefs: targetRefs(),
      workloadSelector: networkingWorkloadSelector(),
    },
    { 'x-kubernetes-validations': [atMostOneRule(['workloadSelector', 'targetRefs'], 'only one of workloadSelector and targetRefs may be set')] },
  ),
  deprecated: {},
};
