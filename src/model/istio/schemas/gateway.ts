/** networking.istio.io Gateway (istio/api networking/v1alpha3/gateway.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { arr, networkingPort, obj, serverTlsSettings, str, strList, strMap } from './common.js';

export const gateway: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'Gateway',
  plural: 'gateways',
  singular: 'gateway',
  shortNames: ['gw'],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [],
  specRequired: false,
  spec: obj({
    selector: strMap(),
    servers: arr(
      obj(
        {
          bind: str(),
          defaultEndpoint: str(),
          hosts: strList(),
          name: str(),
          port: networkingPort(['number', 'protocol', 'name']),
          tls: serverTlsSettings(),
        },
        { required: ['port', 'hosts'] },
      ),
    ),
  }),
  deprecated: {},
};
