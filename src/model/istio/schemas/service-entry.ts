/** networking.istio.io ServiceEntry (istio/api networking/v1alpha3/service_entry.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { arr, atMostOneRule, cel, enumOf, networkingWorkloadSelector, obj, PORT_RULE, str, strList, uint32 } from './common.js';
import { workloadEntrySpec } from './workload-entry.js';

export const serviceEntry: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'ServiceEntry',
  plural: 'serviceentries',
  singular: 'serviceentry',
  shortNames: ['se'],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [
    { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts', description: 'The hosts associated with the ServiceEntry' },
    {
      name: 'Location',
      type: 'string',
      jsonPath: '.spec.location',
      description: 'Whether the service is external to the mesh or part of the mesh (MESH_EXTERNAL or MESH_INTERNAL)',
    },
    {
      name: 'Resolution',
      type: 'string',
      jsonPath: '.spec.resolution',
      description: 'Service resolution mode for the hosts (NONE, STATIC, or DNS)',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specRequired: true,
  spec: obj(
    {
      addresses: strList({ maxItems: 256 }, { maxLength: 64 }),
      endpoints: arr(workloadEntrySpec({ addressRequired: true }), { maxItems: 4096 }),
      exportTo: strList(),
      hosts: strList({ minItems: 1, maxItems: 256 }, { 'x-kubernetes-validations': [cel("self != '*'", 'a host may not be the bare wildcard *')] }),
      location: enumOf(['MESH_EXTERNAL', 'MESH_INTERNAL']),
      ports: arr(
        obj(
          {
            name: str({ maxLength: 256 }),
            number: uint32({ minimum: 1, maximum: 65535, 'x-kubernetes-validations': [PORT_RULE()] }),
            protocol: str({ maxLength: 256 }),
            targetPort: uint32({ minimum: 1, maximum: 65535, 'x-kubernetes-validations': [PORT_RULE()] }),
          },
          { required: ['number', 'name'] },
        ),
        {
          maxItems: 256,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          'x-kubernetes-validations': [cel('self.all(p, self.exists_one(q, q.number == p.number))', 'port numbers must be unique')],
        },
      ),
      resolution: enumOf(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS']),
      subjectAltNames: strList(),
      workloadSelector: networkingWorkloadSelector(),
    },
    {
      required: ['hosts'],
      'x-kubernetes-validations': [
        atMostOneRule(['workloadSelector', 'endpoints'], 'only one of workloadSelector and endpoints may be set'),
        cel(
          "!has(self.addresses) || !self.addresses.exists(a, a.contains('/')) || !has(self.resolution) || self.resolution in ['NONE', 'STATIC']",
          'CIDR addresses need resolution NONE or STATIC',
        ),
        cel("(has(self.resolution) && self.resolution != 'NONE') || !has(self.endpoints)", 'resolution NONE cannot have endpoints'),
        cel(
          "!has(self.resolution) || self.resolution != 'DNS_ROUND_ROBIN' || !has(self.endpoints) || self.endpoints.size() <= 1",
          'resolution DNS_ROUND_ROBIN allows at most one endpoint',
        ),
      ],
    },
  ),
  deprecated: {},
};
