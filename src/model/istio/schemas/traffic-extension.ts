/** extensions.istio.io TrafficExtension (istio/api extensions/v1alpha1/traffic_extension.proto; new in Istio 1.30). */
import type { IstioKindSchema } from '../schema-types.js';
import { enumOf, freeform, int32Value, obj, str, targetRefs, workloadSelectorMatchLabels, arr } from './common.js';
import { FAIL_STRATEGIES, PLUGIN_TYPES, PULL_POLICIES, trafficSelector, vmConfig } from './wasm-plugin.js';

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
      // The API has spelled the phase both ways across releases; accept either rather than reject.
      phase: enumOf([
        'UNSPECIFIED_PHASE',
        'AUTHN',
        'AUTHZ',
        'STATS',
        'EXECUTION_PHASE_UNSPECIFIED',
        'EXECUTION_PHASE_AUTHN',
        'EXECUTION_PHASE_AUTHZ',
        'EXECUTION_PHASE_STATS',
      ]),
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
          url: str({ minLength: 1 }),
          verificationKey: str(),
          vmConfig: vmConfig(),
        },
        { required: ['url'] },
      ),
    },
    { oneofs: [['wasm', 'lua']] },
  ),
  deprecated: {},
};
