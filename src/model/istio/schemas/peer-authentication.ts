/** security.istio.io PeerAuthentication (istio/api security/v1beta1/peer_authentication.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { cel, enumOf, map, obj, withRules, workloadSelectorMatchLabels } from './common.js';

const mtls = () => obj({ mode: enumOf(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']) });

export const peerAuthentication: IstioKindSchema = {
  group: 'security.istio.io',
  kind: 'PeerAuthentication',
  plural: 'peerauthentications',
  singular: 'peerauthentication',
  shortNames: ['pa'],
  categories: ['istio-io', 'security-istio-io'],
  versions: ['v1', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [
    { name: 'Mode', type: 'string', jsonPath: '.spec.mtls.mode', description: 'Defines the mTLS mode used for peer authentication.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specRequired: false,
  spec: obj(
    {
      mtls: mtls(),
      portLevelMtls: withRules(
        map(mtls(), { minProperties: 1 }),
        cel('self.all(p, int(p) >= 1 && int(p) <= 65535)', 'port keys must be port numbers in 1..65535'),
      ),
      selector: workloadSelectorMatchLabels(),
    },
    {
      'x-kubernetes-validations': [
        cel(
          '!has(self.portLevelMtls) || (has(self.selector) && has(self.selector.matchLabels) && self.selector.matchLabels.size() > 0)',
          'portLevelMtls needs a selector with matchLabels',
        ),
      ],
    },
  ),
  deprecated: {},
};
