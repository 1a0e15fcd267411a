/** networking.istio.io DestinationRule (istio/api networking/v1alpha3/destination_rule.proto). */
import type { IstioKindSchema, JSONSchemaProps } from '../schema-types.js';
import {
  arr,
  bool,
  boolValue,
  connectionPoolSettings,
  doubleValue,
  duration,
  enumOf,
  int32,
  map,
  networkingPortSelector,
  obj,
  str,
  strList,
  strMap,
  uint32,
  uint32Value,
  uint64,
  workloadSelectorMatchLabels,
} from './common.js';

const loadBalancerSettings = (): JSONSchemaProps =>
  obj(
    {
      consistentHash: obj(
        {
          httpCookie: obj(
            {
              attributes: arr(obj({ name: str(), value: str() }, { required: ['name'] })),
              name: str(),
              path: str(),
              ttl: duration({ minimumDuration: false }),
            },
            { required: ['name'] },
          ),
          httpHeaderName: str(),
          httpQueryParameterName: str(),
          maglev: obj({ tableSize: uint64() }),
          minimumRingSize: uint64(),
          ringHash: obj({ minimumRingSize: uint64() }),
          useSourceIp: bool(),
        },
        {
          oneofs: [
            ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'],
            ['ringHash', 'maglev'],
          ],
        },
      ),
      localityLbSetting: obj({
        distribute: arr(obj({ from: str(), to: map(uint32()) })),
        enabled: boolValue(),
        failover: arr(obj({ from: str(), to: str() })),
        failoverPriority: strList(),
      }),
      simple: enumOf(['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST']),
      warmup: obj(
        {
          aggression: doubleValue({ minimum: 0 }),
          duration: duration(),
          minimumPercent: doubleValue({ minimum: 0, maximum: 100 }),
        },
        { required: ['duration'] },
      ),
      warmupDurationSecs: duration(),
      zoneAwareLbSetting: obj({
        enabled: boolValue(),
        failover: arr(obj({ from: str(), to: str() })),
        failoverPriority: strList(),
        minClusterSize: { ...uint32Value(), minimum: 1 },
      }),
    },
    { oneofs: [['simple', 'consistentHash']] },
  );

const outlierDetection = (): JSONSchemaProps =>
  obj({
    baseEjectionTime: duration(),
    consecutive5xxErrors: uint32Value(),
    consecutiveErrors: int32(),
    consecutiveGatewayErrors: uint32Value(),
    consecutiveLocalOriginFailures: uint32Value(),
    interval: duration(),
    maxEjectionPercent: int32(),
    minHealthPercent: int32(),
    outlierDetectionHttpErrorCodes: arr({ type: 'integer', minimum: 100, maximum: 599 }),
    splitExternalLocalOriginErrors: bool(),
  });

/** ClientTLSSettings */
const clientTlsSettings = (): JSONSchemaProps =>
  obj({
    caCertificates: str(),
    caCrl: str(),
    clientCertificate: str(),
    credentialName: str(),
    insecureSkipVerify: boolValue(),
    mode: enumOf(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']),
    privateKey: str(),
    sni: str(),
    subjectAltNames: strList(),
  });

const trafficPolicy = (): JSONSchemaProps =>
  obj({
    connectionPool: connectionPoolSettings(),
    loadBalancer: loadBalancerSettings(),
    outlierDetection: outlierDetection(),
    portLevelSettings: arr(
      obj({
        connectionPool: connectionPoolSettings(),
        loadBalancer: loadBalancerSettings(),
        outlierDetection: outlierDetection(),
        port: networkingPortSelector(),
        tls: clientTlsSettings(),
      }),
      { maxItems: 4096 },
    ),
    proxyProtocol: obj({ version: enumOf(['V1', 'V2']) }),
    retryBudget: obj({
      budgetInterval: duration({ minimumDuration: false }),
      minRetryConcurrency: uint32(),
      percent: doubleValue({ minimum: 0, maximum: 100 }),
    }),
    tls: clientTlsSettings(),
    tunnel: obj({ protocol: str(), targetHost: str(), targetPort: uint32() }, { required: ['targetHost', 'targetPort'] }),
  });

export const destinationRule: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'DestinationRule',
  plural: 'destinationrules',
  singular: 'destinationrule',
  shortNames: ['dr'],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [
    { name: 'Host', type: 'string', jsonPath: '.spec.host', description: 'The name of a service from the service registry' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specRequired: false,
  spec: obj(
    {
      exportTo: strList(),
      host: str(),
      subsets: arr(obj({ labels: strMap(), name: str(), trafficPolicy: trafficPolicy() }, { required: ['name'] })),
      trafficPolicy: trafficPolicy(),
      workloadSelector: workloadSelectorMatchLabels(),
    },
    { required: ['host'] },
  ),
  deprecated: {
    '**.loadBalancer.consistentHash.minimumRingSize': 'use consistentHash.ringHash.minimumRingSize',
    '**.loadBalancer.warmupDurationSecs': 'use loadBalancer.warmup.duration',
    '**.outlierDetection.consecutiveErrors': 'use outlierDetection.consecutive5xxErrors',
  },
};
