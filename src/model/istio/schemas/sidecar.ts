/** networking.istio.io Sidecar (istio/api networking/v1alpha3/sidecar.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import {
  arr,
  connectionPoolSettings,
  enumOf,
  networkingPort,
  networkingPortSelector,
  networkingWorkloadSelector,
  obj,
  serverTlsSettings,
  str,
  strList,
} from './common.js';

const CAPTURE_MODES = ['DEFAULT', 'IPTABLES', 'NONE'];

export const sidecar: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'Sidecar',
  plural: 'sidecars',
  singular: 'sidecar',
  shortNames: [],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [],
  specRequired: false,
  spec: obj({
    egress: arr(obj({ bind: str(), captureMode: enumOf(CAPTURE_MODES), hosts: strList(), port: networkingPort() }, { required: ['hosts'] })),
    inboundConnectionPool: connectionPoolSettings(),
    ingress: arr(
      obj(
        {
          bind: str(),
          captureMode: enumOf(CAPTURE_MODES),
          connectionPool: connectionPoolSettings(),
          defaultEndpoint: str(),
          port: networkingPort(),
          tls: serverTlsSettings(),
        },
        { required: ['port'] },
      ),
    ),
    outboundTrafficPolicy: obj({
      egressProxy: obj({ host: str(), port: networkingPortSelector(), subset: str() }, { required: ['host'] }),
      mode: enumOf(['REGISTRY_ONLY', 'ALLOW_ANY']),
    }),
    workloadSelector: networkingWorkloadSelector(),
  }),
  deprecated: {},
};
