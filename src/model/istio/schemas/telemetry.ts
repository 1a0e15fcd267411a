/** telemetry.istio.io Telemetry (istio/api telemetry/v1alpha1/telemetry.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import {
  arr,
  boolValue,
  cel,
  doubleValue,
  duration,
  enumOf,
  map,
  obj,
  policyTargetReference,
  selectorOrTargetRule,
  str,
  targetRefs,
  workloadSelectorMatchLabels,
} from './common.js';

const MODES = ['CLIENT_AND_SERVER', 'CLIENT', 'SERVER'];
const providers = () => arr(obj({ name: str({ minLength: 1 }) }, { required: ['name'] }));

export const telemetry: IstioKindSchema = {
  group: 'telemetry.istio.io',
  kind: 'Telemetry',
  plural: 'telemetries',
  singular: 'telemetry',
  shortNames: ['telemetry'],
  categories: ['istio-io', 'telemetry-istio-io'],
  versions: ['v1', 'v1alpha1'],
  storageVersion: 'v1alpha1',
  namespaced: true,
  printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  specRequired: false,
  spec: obj(
    {
      accessLogging: arr(
        obj({
          disabled: boolValue(),
          filter: obj({ expression: str() }),
          match: obj({ mode: enumOf(MODES) }),
          providers: providers(),
        }),
      ),
      metrics: arr(
        obj({
          overrides: arr(
            obj({
              disabled: boolValue(),
              match: obj(
                {
                  customMetric: str({ minLength: 1 }),
                  metric: enumOf([
                    'ALL_METRICS',
                    'REQUEST_COUNT',
                    'REQUEST_DURATION',
                    'REQUEST_SIZE',
                    'RESPONSE_SIZE',
                    'TCP_OPENED_CONNECTIONS',
                    'TCP_CLOSED_CONNECTIONS',
                    'TCP_SENT_BYTES',
                    'TCP_RECEIVED_BYTES',
                    'GRPC_REQUEST_MESSAGES',
                    'GRPC_RESPONSE_MESSAGES',
                  ]),
                  mode: enumOf(MODES),
                },
                { oneofs: [['metric', 'customMetric']] },
              ),
              tagOverrides: map(
                obj(
                  { operation: enumOf(['UPSERT', 'REMOVE']), value: str() },
                  {
                    'x-kubernetes-validations': [
                      cel("!has(self.operation) || self.operation != 'UPSERT' || (has(self.value) && self.value != '')", 'UPSERT needs a value'),
                      cel("!(has(self.operation) && self.operation == 'REMOVE' && has(self.value))", 'REMOVE takes no value'),
                    ],
                  },
                ),
              ),
            }),
          ),
          providers: providers(),
          reportingInterval: duration(),
        }),
      ),
      selector: workloadSelectorMatchLabels(),
      targetRef: policyTargetReference(),
      targetRefs: targetRefs(),
      tracing: arr(
        obj({
          customTags: map(
            obj(
              {
                environment: obj({ defaultValue: str(), name: str({ minLength: 1 }) }, { required: ['name'] }),
                formatter: obj({ value: str({ minLength: 1 }) }, { required: ['value'] }),
                header: obj({ defaultValue: str(), name: str({ minLength: 1 }) }, { required: ['name'] }),
                literal: obj({ value: str({ minLength: 1 }) }, { required: ['value'] }),
              },
              { oneofs: [['literal', 'environment', 'header', 'formatter']] },
            ),
          ),
          disableContextPropagation: boolValue(),
          disableSpanReporting: boolValue(),
          enableIstioTags: boolValue(),
          match: obj({ mode: enumOf(MODES) }),
          providers: providers(),
          randomSamplingPercentage: doubleValue({ minimum: 0, maximum: 100 }),
          useRequestIdForTraceSampling: boolValue(),
        }),
      ),
    },
    { 'x-kubernetes-validations': [selectorOrTargetRule(['selector', 'targetRef', 'targetRefs'])] },
  ),
  deprecated: { targetRef: 'use targetRefs' },
};
