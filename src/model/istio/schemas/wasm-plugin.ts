/** extensions.istio.io WasmPlugin (istio/api extensions/v1alpha1/wasm.proto). */
import type { IstioKindSchema, JSONSchemaProps } from '../schema-types.js';
import {
  cel,
  selectorOrTargetRule,
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

/**
 * A Wasm module URL: a URL with scheme oci, http, https or file (or none), or a bare `host/path`
 * reference, which is read as oci.
 */
export const MODULE_URL_RULE = () =>
  cel(
    "isURL(self) ? url(self).getScheme() in ['', 'oci', 'file', 'http', 'https'] : isURL('http://' + self)",
    'url must be an oci://, http://, https:// or file:// URL or a registry reference',
  );

export const vmConfig = (): JSONSchemaProps =>
  obj({
    env: arr(
      obj(
        {
          name: str({ minLength: 1, maxLength: 256 }),
          value: str({ maxLength: 2048 }),
          valueFrom: enumOf(['INLINE', 'HOST']),
        },
        {
          required: ['name'],
          'x-kubernetes-validations': [cel("!has(self.value) || !has(self.valueFrom) || self.valueFrom != 'HOST'", 'value is only for valueFrom INLINE')],
        },
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
      url: str({ minLength: 1, 'x-kubernetes-validations': [MODULE_URL_RULE()] }),
      verificationKey: str(),
      vmConfig: vmConfig(),
    },
    { required: ['url'], 'x-kubernetes-validations': [selectorOrTargetRule(['selector', 'targetRef', 'targetRefs'])] },
  ),
  deprecated: { targetRef: 'use targetRefs' },
};
