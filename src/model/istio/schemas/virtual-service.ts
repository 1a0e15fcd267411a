/** networking.istio.io VirtualService (istio/api networking/v1alpha3/virtual_service.proto). */
import type { IstioKindSchema, JSONSchemaProps } from '../schema-types.js';
import {
  arr,
  bool,
  boolValue,
  destination,
  duration,
  enumOf,
  int32,
  map,
  obj,
  percent,
  str,
  strList,
  strMap,
  stringMatch,
  uint32,
  uint32Value,
} from './common.js';

const headerOperations = (): JSONSchemaProps => obj({ add: strMap(), remove: strList(), set: strMap() });
const headers = (): JSONSchemaProps => obj({ request: headerOperations(), response: headerOperations() });

const httpMatchRequest = (): JSONSchemaProps =>
  obj({
    authority: stringMatch(),
    gateways: strList(),
    headers: map(stringMatch()),
    ignoreUriCase: bool(),
    method: stringMatch(),
    name: str(),
    port: uint32(),
    queryParams: map(stringMatch()),
    scheme: stringMatch(),
    sourceLabels: strMap(),
    sourceNamespace: str(),
    statPrefix: str(),
    uri: stringMatch(),
    withoutHeaders: map(stringMatch()),
  });

const httpRoute = (): JSONSchemaProps =>
  obj({
    corsPolicy: obj({
      allowCredentials: boolValue(),
      allowHeaders: strList(),
      allowMethods: strList(),
      allowOrigin: strList(),
      allowOrigins: arr(stringMatch()),
      exposeHeaders: strList(),
      maxAge: duration(),
      unmatchedPreflights: enumOf(['UNSPECIFIED', 'FORWARD', 'IGNORE']),
    }),
    delegate: obj({ name: str(), namespace: str() }),
    directResponse: obj(
      {
        body: obj({ bytes: str({ format: 'byte' }), string: str() }, { oneofs: [['string', 'bytes']] }),
        status: uint32(),
      },
      { required: ['status'] },
    ),
    fault: obj({
      abort: obj(
        { grpcStatus: str(), http2Error: str(), httpStatus: int32(), percentage: percent() },
        { oneofs: [['httpStatus', 'grpcStatus', 'http2Error']] },
      ),
      delay: obj(
        { exponentialDelay: duration(), fixedDelay: duration(), percent: int32(), percentage: percent() },
        { oneofs: [['fixedDelay', 'exponentialDelay']] },
      ),
    }),
    headers: headers(),
    match: arr(httpMatchRequest()),
    mirror: destination(),
    mirror_percent: uint32Value(),
    mirrorPercent: uint32Value(),
    mirrorPercentage: percent(),
    mirrors: arr(obj({ destination: destination(), percentage: percent() }, { required: ['destination'] })),
    name: str(),
    redirect: obj(
      {
        authority: str(),
        derivePort: enumOf(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']),
        port: uint32(),
        prefixRewrite: str(),
        redirectCode: uint32(),
        scheme: str(),
        uri: str(),
      },
      { oneofs: [['port', 'derivePort']] },
    ),
    retries: obj({
      attempts: int32(),
      backoff: duration(),
      perTryTimeout: duration(),
      retryIgnorePreviousHosts: boolValue(),
      retryOn: str(),
      retryRemoteLocalities: boolValue(),
    }),
    rewrite: obj({
      authority: str(),
      uri: str(),
      uriRegexRewrite: obj({ match: str(), rewrite: str() }),
    }),
    route: arr(obj({ destination: destination(), headers: headers(), weight: int32() }, { required: ['destination'] })),
    timeout: duration(),
  });

const routeDestination = (): JSONSchemaProps => obj({ destination: destination(), weight: int32() }, { required: ['destination'] });

const l4Match = (): JSONSchemaProps =>
  obj({
    destinationSubnets: strList(),
    gateways: strList(),
    port: uint32(),
    sourceLabels: strMap(),
    sourceNamespace: str(),
    sourceSubnet: str(),
  });

const tlsMatch = (): JSONSchemaProps =>
  obj(
    {
      destinationSubnets: strList(),
      gateways: strList(),
      port: uint32(),
      sniHosts: strList(),
      sourceLabels: strMap(),
      sourceNamespace: str(),
    },
    { required: ['sniHosts'] },
  );

export const virtualService: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'VirtualService',
  plural: 'virtualservices',
  singular: 'virtualservice',
  shortNames: ['vs'],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [
    {
      name: 'Gateways',
      type: 'string',
      jsonPath: '.spec.gateways',
      description: 'The names of gateways and sidecars that should apply these routes',
    },
    { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts', description: 'The destination hosts to which traffic is being sent' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specRequired: false,
  spec: obj({
    exportTo: strList(),
    gateways: strList(),
    hosts: strList(),
    http: arr(httpRoute()),
    tcp: arr(obj({ match: arr(l4Match()), route: arr(routeDestination()) })),
    tls: arr(obj({ match: arr(tlsMatch()), route: arr(routeDestination()) }, { required: ['match'] })),
  }),
  deprecated: {
    'http[].mirror_percent': 'use mirrorPercentage',
    'http[].mirrorPercent': 'use mirrorPercentage',
    'http[].corsPolicy.allowOrigin': 'use corsPolicy.allowOrigins',
    'http[].fault.delay.percent': 'use fault.delay.percentage',
  },
};
