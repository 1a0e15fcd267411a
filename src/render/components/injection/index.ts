/** The injection templates mesh ships in the injector ConfigMap, by the names Istio 1.31 uses. */
import { AGENTGATEWAY_TEMPLATE, AGENTGATEWAY_WAYPOINT_TEMPLATE } from './agentgateway.js';
import { GATEWAY_TEMPLATE } from './gateway.js';
import { GRPC_AGENT_TEMPLATE, GRPC_SIMPLE_TEMPLATE } from './grpc.js';
import { KUBE_GATEWAY_TEMPLATE } from './kube-gateway.js';
import { SIDECAR_TEMPLATE } from './sidecar.js';
import { WAYPOINT_TEMPLATE } from './waypoint.js';

export {
  AGENTGATEWAY_TEMPLATE,
  AGENTGATEWAY_WAYPOINT_TEMPLATE,
  GATEWAY_TEMPLATE,
  GRPC_AGENT_TEMPLATE,
  GRPC_SIMPLE_TEMPLATE,
  KUBE_GATEWAY_TEMPLATE,
  SIDECAR_TEMPLATE,
  WAYPOINT_TEMPLATE,
};

export const INJECTION_TEMPLATES: Record<string, string> = {
  sidecar: SIDECAR_TEMPLATE,
  gateway: GATEWAY_TEMPLATE,
  'grpc-simple': GRPC_SIMPLE_TEMPLATE,
  'grpc-agent': GRPC_AGENT_TEMPLATE,
  waypoint: WAYPOINT_TEMPLATE,
  'kube-gateway': KUBE_GATEWAY_TEMPLATE,
  agentgateway: AGENTGATEWAY_TEMPLATE,
  'agentgateway-waypoint': AGENTGATEWAY_WAYPOINT_TEMPLATE,
};
