/** extensions.istio.io TrafficExtension (istio/api extensions/v1alpha1/traffic_extension.proto; new in Istio 1.30). */
import type { IstioKindSchema } from '../schema-types.js';
import { arr, atMostOneRule, cel, enumOf, freeform, int32Value, obj, str, targetRefs, workloadSelectorMatchLabels } from './common.js';
import { FAIL_STRATEGIES, MODULE_URL_RULE, PLUGIN_TYPES, PULL_POLICIES, trafficSelector, vmConfig } from './wasm-plugin.js';

export const trafficExtension: IstioKindSchema = {
  group: 'extensions.istio.io',
  kind: 'TrafficExtension',
  plural: 'trafficextensions',
  singular: 'trafficextension',
  shortNames: [],
  categories: ['istio-io', 'extensions-istio-io'],
  versions: ['v1alpha1'],
  storageVersion: 'v1alpha1',
  namespaced: true,
  printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  specRequired: true,
  spec: obj(
    {
      lua: obj({ inlineCode: str({ minLength: 1, maxLength: 65536 }) }, { required: ['inlineCode'] }),
      match: arr(trafficSelector()),
      phase: enumOf(['UNSPECIFIED', 'AUTHN', 'AUTHZ', 'STATS']),
      priority: int32Value(),
      selector: workloadSelectorMatchLabels(),
      targetRefs: targetRefs(),
      wasm: obj(
        {
          failStrategy: enumOf(FAIL_STRATEGIES),
          imagePullPolicy: enumOf(PULL_POLICIES),
          imagePullSecret: str({ minLength: 1, maxLength: 253 }),
          pluginConfig: freeform(),
          pluginName: str({ minLength: 1, maxLength: 256 }),
          sha256: str({ pattern: '(^$|^[a-f0-9]{64}$)' }),
          type: enumOf(PLUGIN_TYPES),
          url: str({ minLength: 1, 'x-kubernetes-validations': [MODULE_URL_RULE()] }),
          verificationKey: str(),
          vmConfig: vmConfig(),
        },
        { required: ['url'] },
      ),
    },
    {
      oneofs: [['wasm', 'lua']],
      'x-kubernetes-validations': [
        atMostOneRule(['selector', 'targetRefs'], 'only one of selector and targetRefs may be set'),
        cel('(has(self.wasm) || has(self.lua)) && !(has(self.wasm) && has(self.lua))', 'exactly one of wasm and lua must be set'),
      ],
    },
  ),
  deprecated: {},
};
