/**
 * Small builders for structural schemas, and the message types several Istio kinds share
 * (selectors, target references, ports, string matches, traffic policies, TLS settings).
 *
 * Mapping of protobuf types (istio/api) to structural schema:
 * - string → string; bool → boolean; enums → string with the enum's value names
 * - int32 → integer/int32; uint32 → integer 0..4294967295; int64 → integer/int64; uint64 → integer ≥ 0
 * - double/float → number/double
 * - google.protobuf.Duration → string ("10s", "1.5ms")
 * - wrappers: BoolValue → nullable boolean, UInt32Value → nullable integer 0..4294967295,
 *   Int32Value → nullable integer/int32, DoubleValue → nullable number/double
 * - google.protobuf.Struct / Any → object with x-kubernetes-preserve-unknown-fields
 * - map<string, T> → object with additionalProperties T
 * - oneof → the fields are all declared, plus a oneOf of `required` sets that allows at most one
 * Every builder returns a fresh object, so schemas never share nodes.
 */
import type { JSONSchemaProps, ValidationRule } from '../schema-types.js';

type Extra = Omit<JSONSchemaProps, 'type'>;

// ---------------------------------------------------------------------------------------------
// CEL rules (x-kubernetes-validations). mesh writes its own expressions; test/parity/crds.parity.test.ts
// evaluates them next to Istio's on the same values and requires the same verdicts.

/** One CEL rule with its message. */
export const cel = (rule: string, message: string): ValidationRule => ({ rule, message });

/** Adds CEL rules to a schema node (returns the node). */
export function withRules(node: JSONSchemaProps, ...rules: ValidationRule[]): JSONSchemaProps {
  node['x-kubernetes-validations'] = [...(node['x-kubernetes-validations'] ?? []), ...rules];
  return node;
}

/**
 * "At most one of these fields is set", as a rule on the object that holds them: no two are set
 * together. Written without a list comprehension, so its estimated cost is constant: the API server
 * multiplies a rule's cost by the bounds of every enclosing list, and a comprehension under an
 * unbounded list (Gateway `servers[].tls`) exceeds the CRD's cost budget and is refused.
 */
export const atMostOneRule = (fields: string[], message: string): ValidationRule => {
  const pairs: string[] = [];
  fields.forEach((a, i) => fields.slice(i + 1).forEach((b) => pairs.push(`(has(self.${a}) && has(self.${b}))`)));
  return cel(`!(${pairs.join(' || ')})`, message);
};

/** A port number: 1..65535. */
export const PORT_RULE = (): ValidationRule => cel('self >= 1 && self <= 65535', 'port must be in 1..65535');

const noWildcardValue = (message: string): ValidationRule => cel("!self.contains('*')", message);

/** Keys of a label map: neither empty nor wildcards; values: no wildcards. */
export const labelKeyRules = (): ValidationRule[] => [
  cel("!self.exists(k, k.contains('*'))", 'label keys may not contain the wildcard *'),
  cel("!self.exists(k, k == '')", 'label keys may not be empty'),
];

export const str = (extra: Extra = {}): JSONSchemaProps => ({ type: 'string', ...extra });
export const bool = (extra: Extra = {}): JSONSchemaProps => ({ type: 'boolean', ...extra });
export const int32 = (extra: Extra = {}): JSONSchemaProps => ({ type: 'integer', format: 'int32', ...extra });
export const int64 = (extra: Extra = {}): JSONSchemaProps => ({ type: 'integer', format: 'int64', ...extra });
export const uint32 = (extra: Extra = {}): JSONSchemaProps => ({
  type: 'integer',
  minimum: 0,
  maximum: 4294967295,
  ...extra,
});
/** uint64 as Istio's CRDs declare it: a non-negative integer without an upper bound or format. */
export const uint64 = (extra: Extra = {}): JSONSchemaProps => ({ type: 'integer', minimum: 0, ...extra });
/** A uint32 whose value must be a port number (Istio's CRDs check 1..65535 with CEL; we use bounds). */
export const port = (): JSONSchemaProps => uint32();
export const double = (extra: Extra = {}): JSONSchemaProps => ({ type: 'number', format: 'double', ...extra });
/**
 * Schema nodes that hold a google.protobuf.Duration. The CRDs carry no duration rule (we keep CEL out),
 * but the validator checks these strings, so it needs to know which nodes they are.
 */
export const DURATION_NODES = new WeakSet<JSONSchemaProps>();
/** google.protobuf.Duration in its JSON form, e.g. "5s", "1m30s", "0.5s". */
export const duration = (opts: Extra & { minimumDuration?: boolean } = {}): JSONSchemaProps => {
  const { minimumDuration = true, ...extra } = opts;
  const node: JSONSchemaProps = { type: 'string', ...extra };
  // As Istio's CRDs: most durations must parse and be at least 1ms (a few, e.g. TCP idleTimeout, may be 0).
  if (minimumDuration) withRules(node, cel("duration(self) >= duration('1ms')", 'must be a duration of at least 1ms'));
  DURATION_NODES.add(node);
  return node;
};
/** google.protobuf.BoolValue */
export const boolValue = (): JSONSchemaProps => ({ type: 'boolean', nullable: true });
/** google.protobuf.UInt32Value */
export const uint32Value = (): JSONSchemaProps => ({ ...uint32(), nullable: true });
/** google.protobuf.Int32Value */
export const int32Value = (extra: Extra = {}): JSONSchemaProps => ({ ...int32(), nullable: true, ...extra });
/** google.protobuf.DoubleValue */
export const doubleValue = (extra: Extra = {}): JSONSchemaProps => ({ ...double(), nullable: true, ...extra });
export const enumOf = (values: string[], extra: Extra = {}): JSONSchemaProps => ({
  type: 'string',
  enum: [...values],
  ...extra,
});
export const arr = (items: JSONSchemaProps, extra: Extra = {}): JSONSchemaProps => ({ type: 'array', items, ...extra });
export const strList = (extra: Extra = {}, itemExtra: Extra = {}): JSONSchemaProps => arr(str(itemExtra), extra);
export const map = (values: JSONSchemaProps, extra: Extra = {}): JSONSchemaProps => ({
  type: 'object',
  additionalProperties: values,
  ...extra,
});
export const strMap = (extra: Extra = {}, valueExtra: Extra = {}): JSONSchemaProps => map(str(valueExtra), extra);
/** A genuinely free-form subtree (google.protobuf.Struct, Any, EnvoyFilter patch values). */
export const freeform = (extra: Extra = {}): JSONSchemaProps => ({
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  ...extra,
});

export interface ObjOptions extends Extra {
  /** Proto oneofs: each group lists fields of which at most one may be set. */
  oneofs?: string[][];
}

export function obj(properties: Record<string, JSONSchemaProps>, opts: ObjOptions = {}): JSONSchemaProps {
  const { oneofs, ...extra } = opts;
  const node: JSONSchemaProps = { type: 'object', properties, ...extra };
  if (oneofs && oneofs.length > 0) {
    for (const group of oneofs) {
      for (const f of group) {
        if (!(f in properties)) throw new Error(`oneof field ${f} is not a declared property`);
      }
    }
    const groups = oneofs.map(atMostOneOf);
    if (groups.length === 1) node.oneOf = groups[0]!;
    else node.allOf = groups.map((g) => ({ oneOf: g }));
  }
  return node;
}

/** The structural form of "at most one of these fields": none of them, or exactly one. */
export function atMostOneOf(fields: string[]): JSONSchemaProps[] {
  return [{ not: { anyOf: fields.map((f) => ({ required: [f] })) } }, ...fields.map((f) => ({ required: [f] }))];
}

// ---------------------------------------------------------------------------------------------
// istio.type.v1beta1

/** istio.type.v1beta1.WorkloadSelector (`selector` of policies, Telemetry, WasmPlugin, ProxyConfig). */
export const workloadSelectorMatchLabels = (): JSONSchemaProps =>
  obj({
    matchLabels: withRules(
      strMap({ maxProperties: 4096 }, { maxLength: 63, 'x-kubernetes-validations': [noWildcardValue('label values may not contain the wildcard *')] }),
      ...labelKeyRules(),
    ),
  });

/** Only one of selector / targetRef / targetRefs (whichever of them the kind has), on the spec. */
export const selectorOrTargetRule = (fields: string[]): ValidationRule => atMostOneRule(fields, `only one of ${fields.join(', ')} may be set`);

/** istio.type.v1beta1.PolicyTargetReference */
export const policyTargetReference = (): JSONSchemaProps =>
  obj(
    {
      group: str({ maxLength: 253, pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }),
      kind: str({ minLength: 1, maxLength: 63, pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$' }),
      name: str({ minLength: 1, maxLength: 253 }),
      namespace: str({ 'x-kubernetes-validations': [cel("self == ''", 'cross-namespace references are not supported')] }),
    },
    { required: ['kind', 'name'] },
  );
export const targetRefs = (): JSONSchemaProps => arr(policyTargetReference(), { maxItems: 16 });

/** istio.type.v1beta1.WorkloadMode */
export const WORKLOAD_MODES = ['UNDEFINED', 'CLIENT', 'SERVER', 'CLIENT_AND_SERVER'];
/** istio.type.v1beta1.PortSelector */
export const portSelector = (): JSONSchemaProps => obj({ number: uint32({ minimum: 1, maximum: 65535 }) }, { required: ['number'] });

// ---------------------------------------------------------------------------------------------
// networking.v1alpha3 shared messages

/** networking WorkloadSelector (`workloadSelector.labels` of Sidecar, ServiceEntry, DestinationRule's is matchLabels). */
export const networkingWorkloadSelector = (): JSONSchemaProps =>
  obj({
    labels: strMap(
      { maxProperties: 256 },
      { maxLength: 63, 'x-kubernetes-validations': [noWildcardValue('selector label values may not contain the wildcard *')] },
    ),
  });

/** networking PortSelector: `{ number }` */
export const networkingPortSelector = (): JSONSchemaProps => obj({ number: uint32() });

/** networking Port (Gateway/Sidecar), SidecarPort and ServicePort share these fields. */
export const networkingPort = (required: string[] = []): JSONSchemaProps => {
  const node = obj({ name: str(), number: uint32(), protocol: str(), targetPort: uint32() });
  if (required.length > 0) node.required = required;
  return node;
};

/** networking StringMatch: oneof exact | prefix | regex */
export const stringMatch = (): JSONSchemaProps => obj({ exact: str(), prefix: str(), regex: str() }, { oneofs: [['exact', 'prefix', 'regex']] });

/** networking Destination */
export const destination = (): JSONSchemaProps => obj({ host: str(), port: networkingPortSelector(), subset: str() }, { required: ['host'] });

/** networking Percent */
export const percent = (): JSONSchemaProps => obj({ value: double() });

/** ServerTLSSettings (Gateway servers, Sidecar ingress). */
export const TLS_PROTOCOLS = ['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'];
export const serverTlsSettings = (): JSONSchemaProps =>
  obj(
    {
      caCertCredentialName: str(),
      caCertificates: str(),
      caCrl: str(),
      cipherSuites: strList(),
      credentialName: str(),
      credentialNames: strList({ minItems: 1, maxItems: 2 }),
      httpsRedirect: bool(),
      insecureSkipVerify: boolValue(),
      maxProtocolVersion: enumOf(TLS_PROTOCOLS),
      minProtocolVersion: enumOf(TLS_PROTOCOLS),
      mode: enumOf(['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL']),
      privateKey: str(),
      serverCertificate: str(),
      subjectAltNames: strList(),
      tlsCertificates: arr(obj({ caCertificates: str(), privateKey: str(), serverCertificate: str() }), {
        minItems: 1,
        maxItems: 2,
      }),
      verifyCertificateHash: strList(),
      verifyCertificateSpki: strList(),
    },
    {
      'x-kubernetes-validations': [
        atMostOneRule(['tlsCertificates', 'credentialNames'], 'only one of tlsCertificates and credentialNames may be set'),
        atMostOneRule(['credentialName', 'credentialNames'], 'only one of credentialName and credentialNames may be set'),
      ],
    },
  );

/** ConnectionPoolSettings (DestinationRule traffic policies, Sidecar inbound pools). */
export const connectionPoolSettings = (): JSONSchemaProps =>
  obj({
    http: obj({
      h2UpgradePolicy: enumOf(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']),
      http1MaxPendingRequests: int32(),
      http2KeepAlive: obj({ interval: duration(), timeout: duration() }),
      http2MaxRequests: int32(),
      idleTimeout: duration(),
      maxConcurrentStreams: int32(),
      maxRequestsPerConnection: int32(),
      maxRetries: int32(),
      useClientProtocol: bool(),
    }),
    tcp: obj({
      connectTimeout: duration(),
      idleTimeout: duration({ minimumDuration: false }),
      maxConnectionDuration: duration(),
      maxConnections: int32(),
      tcpKeepalive: obj({ interval: duration(), probes: uint32(), time: duration() }),
    }),
  });

/** istio.analysis / meta status shared by every Istio kind; kept open since controllers own it. */
export const istioStatus = (): JSONSchemaProps =>
  freeform({
    properties: {
      conditions: arr(
        obj({
          lastProbeTime: str({ format: 'date-time' }),
          lastTransitionTime: str({ format: 'date-time' }),
          message: str(),
          observedGeneration: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
          reason: str(),
          status: str(),
          type: str(),
        }),
      ),
      observedGeneration: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
      validationMessages: arr(
        obj({
          documentationUrl: str(),
          level: enumOf(['UNKNOWN', 'ERROR', 'WARNING', 'INFO']),
          type: obj({ code: str(), name: str() }),
        }),
      ),
    },
  });
