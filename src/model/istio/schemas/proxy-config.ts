/** networking.istio.io ProxyConfig (istio/api networking/v1beta1/proxy_config.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { int32Value, obj, str, strMap, workloadSelectorMatchLabels } from './common.js';

export const proxyConfig: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'ProxyConfig',
  plural: 'proxyconfigs',
  singular: 'proxyconfig',
  shortNames: [],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1beta1'],
  storageVersion: 'v1beta1',
  namespaced: true,
  printerColumns: [],
  specRequired: false,
  spec: obj({
    concurrency: int32Value({ minimum: 0 }),
    environmentVariables: strMap({}, { maxLength: 2048 }),
    image: obj({ imageType: str() }),
    selector: workloadSelectorMatchLabels(),
  }),
  deprecated: {},
};
