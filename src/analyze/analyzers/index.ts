/**
 * The registry: every analyzer, in alphabetical order of file name. The repository check
 * (test/unit/analyze/repository.test.ts) fails when a file in this folder is missing here.
 */
import type { Analyzer } from '../types.js';
import * as annotationsK8s from './annotations-k8s.js';
import * as applicationUid from './application-uid.js';
import * as conditionsNegative from './conditions-negative.js';
import * as deploymentMultiService from './deployment-multi-service.js';
import * as deprecationFields from './deprecation-fields.js';
import * as destinationruleCaCertificate from './destinationrule-ca-certificate.js';
import * as destinationruleSubsetPods from './destinationrule-subset-pods.js';
import * as schemaValidation from './schema-validation.js';
import * as servicePortName from './service-port-name.js';
import * as virtualserviceConflictingMeshHosts from './virtualservice-conflicting-mesh-hosts.js';
import * as virtualserviceDestinationHost from './virtualservice-destination-host.js';
import * as virtualserviceDestinationRule from './virtualservice-destination-rule.js';
import * as virtualserviceGateway from './virtualservice-gateway.js';
import * as virtualserviceUnreachableRules from './virtualservice-unreachable-rules.js';

/** File name (without .ts) → analyzer. */
export const ANALYZER_FILES: Readonly<Record<string, Analyzer>> = {
  'annotations-k8s': annotationsK8s,
  'application-uid': applicationUid,
  'conditions-negative': conditionsNegative,
  'deployment-multi-service': deploymentMultiService,
  'deprecation-fields': deprecationFields,
  'destinationrule-ca-certificate': destinationruleCaCertificate,
  'destinationrule-subset-pods': destinationruleSubsetPods,
  'schema-validation': schemaValidation,
  'service-port-name': servicePortName,
  'virtualservice-conflicting-mesh-hosts': virtualserviceConflictingMeshHosts,
  'virtualservice-destination-host': virtualserviceDestinationHost,
  'virtualservice-destination-rule': virtualserviceDestinationRule,
  'virtualservice-gateway': virtualserviceGateway,
  'virtualservice-unreachable-rules': virtualserviceUnreachableRules,
};

export const ANALYZERS: readonly Analyzer[] = Object.values(ANALYZER_FILES).sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
