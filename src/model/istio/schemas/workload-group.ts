/** networking.istio.io WorkloadGroup (istio/api networking/v1alpha3/workload_group.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { arr, cel, int32, obj, PORT_RULE, str, strList, strMap, uint32 } from './common.js';
import { workloadEntrySpec } from './workload-entry.js';

export const workloadGroup: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'WorkloadGroup',
  plural: 'workloadgroups',
  singular: 'workloadgroup',
  shortNames: ['wg'],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  specRequired: true,
  spec: obj(
    {
      metadata: obj({ annotations: strMap({ maxProperties: 256 }), labels: strMap({ maxProperties: 256 }) }),
      probe: obj(
        {
          exec: obj({ command: strList({}, { minLength: 1 }) }, { required: ['command'] }),
          failureThreshold: int32({ minimum: 0 }),
          grpc: obj({ port: uint32({ 'x-kubernetes-validations': [PORT_RULE()] }), service: str() }),
          httpGet: obj(
            {
              host: str(),
              httpHeaders: arr(obj({ name: str({ pattern: '^[-_A-Za-z0-9]+$' }), value: str() })),
              path: str(),
              port: uint32({ 'x-kubernetes-validations': [PORT_RULE()] }),
              scheme: str({ 'x-kubernetes-validations': [cel("self == '' || self == 'HTTP' || self == 'HTTPS'", 'scheme must be HTTP or HTTPS')] }),
            },
            { required: ['port'] },
          ),
          initialDelaySeconds: int32({ minimum: 0 }),
          periodSeconds: int32({ minimum: 0 }),
          successThreshold: int32({ minimum: 0 }),
          tcpSocket: obj({ host: str(), port: uint32({ 'x-kubernetes-validations': [PORT_RULE()] }) }, { required: ['port'] }),
          timeoutSeconds: int32({ minimum: 0 }),
        },
        { oneofs: [['httpGet', 'tcpSocket', 'exec', 'grpc']] },
      ),
      template: workloadEntrySpec(),
    },
    { required: ['template'] },
  ),
  deprecated: {},
};
