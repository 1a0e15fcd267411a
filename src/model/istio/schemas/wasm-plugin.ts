/** extensions.istio.io WasmPlugin (istio/api extensions/v1alpha1/wasm.proto). */
import type { IstioKindSchema, JSONSchemaProps } from '../schema-types.js';
import {
  WORKLOAD_MODES,
  arr,
  enumOf,
  freeform,
  int32Value,
  obj,
  policyTargetReference,
  portSelector,
  str,
  targetRefs,
  workloadSelectorMatchLabels,
} from './common.js';

export const FAIL_STRATEGIES = ['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD'];
export const PULL_POLICIES = ['UNSPECIFIED_POLICY', 'IfNotPresent', 'Always'];
export const PLUGIN_TYPES = ['UNSPECIFIED_PLUGIN_TYPE', 'HTTP', 'NETWORK'];

export const vmConfig = (): JSONSchemaProps =>
  obj({
    env: arr(
      obj(
        {
          name: str({ minLength: 1, maxLength: 256 }),
          value: str({ maxLength: 2048 }),
          valueFrom: enumOf(['INLINE', 'HOST']),
        },
        { required: ['name'] },
      ),
      { maxItems: 256, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    ),
  });

export const trafficSelector = (): JSONSchemaProps =>
  obj({
    mode: enumOf(WORKLOAD_MODES),
    ports: arr(portSelector(), { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['number'] }),
  });

export const wasmPlugin: IstioKindSchema = {
  group: 'extensions.istio.io',
  kind: 'WasmPlugin',
  plural: 'wasmplugins',
  singular: 'wasmplugin',
  shortNames: [],
  categories: ['istio-io', 'extensions-istio-io'],
  versions: ['v1alpha1'],
  storageVersion: 'v1alpha1',
  namespaced: true,
  printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  specRequired: true,
  spec: obj(
    {
      failStrategy: enumOf(FAIL_STRATEGIES),
      imagePullPolicy: enumOf(PULL_POLICIES),
      imagePullSecret: str({ minLength: 1, maxLength: 253 }),
      match: arr(trafficSelector()),
      phase: enumOf(['UNSPECIFIED_PHASE', 'AUTHN', 'AUTHZ', 'STATS']),
      pluginConfig: freeform(),
      pluginName: str({ minLength: 1, maxLength: 256 }),
      priority: int32Value(),
      selector: workloadSelectorMatchLabels(),
      sha256: str({ pattern: '(^$|^[a-f0-9]{64}$)' }),
      targetRef: policyTargetReference(),
      targetRefs: targetRefs(),
      type: enumOf(PLUGIN_TYPES),
      url: str({ minLength: 1 }),
      verificationKey: str(),
      vmConfig: vmConfig(),
    },
    { required: ['url'] },
  ),
  deprecated: { targetRef: 'use targetRefs' },
};
