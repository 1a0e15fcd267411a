/**
 * The subset of Kubernetes' apiextensions.k8s.io/v1 JSONSchemaProps that the Istio CRD schemas use.
 * The schemas are plain data: the renderer puts them into CustomResourceDefinitions verbatim and the
 * validator (validate.ts) compiles them with ajv. Nothing here may carry keys that the API server does
 * not know, since a CRD with unknown schema keys is rejected.
 */
export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface ValidationRule {
  rule: string;
  message?: string;
}

export interface JSONSchemaProps {
  type?: SchemaType;
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  nullable?: boolean;
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-validations'?: ValidationRule[];
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
}

/** One Istio kind: everything needed to build its CRD and to validate its objects. */
export interface IstioKindSchema {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  /** Served versions in the order Istio lists them; exactly one is the storage version. */
  versions: string[];
  storageVersion: string;
  namespaced: boolean;
  printerColumns: PrinterColumn[];
  /** Whether the object must carry a `spec` (as Istio's own CRDs require for some kinds). */
  specRequired: boolean;
  /** The schema of `.spec`, identical across versions (as in Istio's CRDs). */
  spec: JSONSchemaProps;
  /**
   * Deprecated fields, as dotted paths below `spec` with `[]` for list items and `{}` for map values
   * (e.g. `http[].mirrorPercent`), and what to use instead. Reported as warnings (IST0133).
   */
  deprecated: Record<string, string>;
}
