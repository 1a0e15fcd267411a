/**
 * The registry: every analyzer, in alphabetical order of file name. The repository check
 * (test/unit/analyze/repository.test.ts) fails when a file in this folder is missing here.
 */
import type { Analyzer } from '../types.js';
import * as annotationsK8s from './annotations-k8s.js';
import * as applicationUid from './application-uid.js';
import * as authAuthorizationPolicies from './auth-authorization-policies.js';
import * as authnBlockedCidrs from './authn-blocked-cidrs.js';
import * as conditionsNegative from './conditions-negative.js';
import * as deploymentMultiService from './deployment-multi-service.js';
import * as deprecationFields from './deprecation-fields.js';
import * as destinationruleCaCertificate from './destinationrule-ca-certificate.js';
import * as destinationruleSubsetPods from './destinationrule-subset-pods.js';
import * as envoyfilterPatch from './envoyfilter-patch.js';
import * as externalcontrolplaneWebhookAddress from './externalcontrolplane-webhook-address.js';
import * as gatewayCertificate from './gateway-certificate.js';
import * as gatewayConflicting from './gateway-conflicting.js';
import * as gatewayIngressPort from './gateway-ingress-port.js';
import * as gatewaySecret from './gateway-secret.js';
import * as injectionEnablement from './injection-enablement.js';
import * as injectionImageAuto from './injection-image-auto.js';
import * as injectionProxyImage from './injection-proxy-image.js';
import * as k8sgatewayCrdVersion from './k8sgateway-crd-version.js';
import * as k8sgatewaySelector from './k8sgateway-selector.js';
import * as meshnetworksRegistry from './meshnetworks-registry.js';
import * as schemaValidation from './schema-validation.js';
import * as servicePortName from './service-port-name.js';
import * as serviceentryAddresses from './serviceentry-addresses.js';
import * as serviceentryConflictingProtocol from './serviceentry-conflicting-protocol.js';
import * as sidecarSelector from './sidecar-selector.js';
import * as telemetryDefaultSelector from './telemetry-default-selector.js';
import * as telemetryLightstep from './telemetry-lightstep.js';
import * as telemetryProvider from './telemetry-provider.js';
import * as telemetrySelector from './telemetry-selector.js';
import * as virtualserviceConflictingMeshHosts from './virtualservice-conflicting-mesh-hosts.js';
import * as virtualserviceDestinationHost from './virtualservice-destination-host.js';
import * as virtualserviceDestinationRule from './virtualservice-destination-rule.js';
import * as virtualserviceGateway from './virtualservice-gateway.js';
import * as virtualserviceJwtClaimRoute from './virtualservice-jwt-claim-route.js';
import * as virtualserviceUnreachableRules from './virtualservice-unreachable-rules.js';
import * as webhookInjection from './webhook-injection.js';

/** File name (without .ts) → analyzer. */
export const ANALYZER_FILES: Readonly<Record<string, Analyzer>> = {
  'annotations-k8s': annotationsK8s,
  'application-uid': applicationUid,
  'auth-authorization-policies': authAuthorizationPolicies,
  'authn-blocked-cidrs': authnBlockedCidrs,
  'conditions-negative': conditionsNegative,
  'deployment-multi-service': deploymentMultiService,
  'deprecation-fields': deprecationFields,
  'destinationrule-ca-certificate': destinationruleCaCertificate,
  'destinationrule-subset-pods': destinationruleSubsetPods,
  'envoyfilter-patch': envoyfilterPatch,
  'externalcontrolplane-webhook-address': externalcontrolplaneWebhookAddress,
  'gateway-certificate': gatewayCertificate,
  'gateway-conflicting': gatewayConflicting,
  'gateway-ingress-port': gatewayIngressPort,
  'gateway-secret': gatewaySecret,
  'injection-enablement': injectionEnablement,
  'injection-image-auto': injectionImageAuto,
  'injection-proxy-image': injectionProxyImage,
  'k8sgateway-crd-version': k8sgatewayCrdVersion,
  'k8sgateway-selector': k8sgatewaySelector,
  'meshnetworks-registry': meshnetworksRegistry,
  'schema-validation': schemaValidation,
  'service-port-name': servicePortName,
  'serviceentry-addresses': serviceentryAddresses,
  'serviceentry-conflicting-protocol': serviceentryConflictingProtocol,
  'sidecar-selector': sidecarSelector,
  'telemetry-default-selector': telemetryDefaultSelector,
  'telemetry-lightstep': telemetryLightstep,
  'telemetry-provider': telemetryProvider,
  'telemetry-selector': telemetrySelector,
  'virtualservice-conflicting-mesh-hosts': virtualserviceConflictingMeshHosts,
  'virtualservice-destination-host': virtualserviceDestinationHost,
  'virtualservice-destination-rule': virtualserviceDestinationRule,
  'virtualservice-gateway': virtualserviceGateway,
  'virtualservice-jwt-claim-route': virtualserviceJwtClaimRoute,
  'virtualservice-unreachable-rules': virtualserviceUnreachableRules,
  'webhook-injection': webhookInjection,
};

export const ANALYZERS: readonly Analyzer[] = Object.values(ANALYZER_FILES).sort((a, b) => (a.meta.name < b.meta.name ? -1 : 1));
