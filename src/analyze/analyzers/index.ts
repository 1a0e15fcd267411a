/**
 * The registry: every analyzer, in alphabetical order of file name. The repository check
 * (test/unit/analyze/repository.test.ts) fails when a file in this folder is missing here.
 */
import type { Analyzer } from '../types.js';
import * as authnBlockedCidrs from './authn-blocked-cidrs.js';
import * as destinationruleCaCertificate from './destinationrule-ca-certificate.js';
import * as destinationruleSubsetPods from './destinationrule-subset-pods.js';
import * as externalcontrolplaneWebhookAddress from './externalcontrolplane-webhook-address.js';
import * as injectionEnablement from './injection-enablement.js';
import * as injectionImageAuto from './injection-image-auto.js';
import * as injectionProxyImage from './injection-proxy-image.js';
import * as meshnetworksRegistry from './meshnetworks-registry.js';
import * as schemaValidation from './schema-validation.js';
import * as virtualserviceConflictingMeshHosts from './virtualservice-conflicting-mesh-hosts.js';
import * as virtualserviceDestinationHost from './virtualservice-destination-host.js';
import * as virtualserviceDestinationRule from './virtualservice-destination-rule.js';
import * as virtualserviceGateway from './virtualservice-gateway.js';
import * as virtualserviceUnreachableRules from './virtualservice-unreachable-rules.js';
import * as webhookInjection from './webhook-injection.js';

/** File name (without .ts) → analyzer. */
export const ANALYZER_FILES: Readonly<Record<string, Analyzer>> = {
  'authn-blocked-cidrs': authnBlockedCidrs,
  'destinationrule-ca-certificate': destinationruleCaCertificate,
  'destinationrule-subset-pods': destinationruleSubsetPods,
  'externalcontrolplane-webhook-address': externalcontrolplaneWebhookAddress,
  'injection-enablement': injectionEnablement,
  'injection-image-auto': injectionImageAuto,
  'injection-proxy-image': injectionProxyImage,
  'meshnetworks-registry': meshnetworksRegistry,
  'schema-validation': schemaValidation,
  'virtualservice-conflicting-mesh-hosts': virtualserviceConflictingMeshHosts,
  'virtualservice-destination-host': virtualserviceDestinationHost,
  'virtualservice-destination-rule': virtualserviceDestinationRule,
  'virtualservice-gateway': virtualserviceGateway,
  'virtualservice-unreachable-rules': virtualserviceUnreachableRules,
  'webhook-injection': webhookInjection,
};

export const ANALYZERS: readonly Analyzer[] = Object.values(ANALYZER_FILES).sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
