/** The injection templates mesh ships in the injector ConfigMap, by the names Istio 1.31 uses. */
import { GATEWAY_TEMPLATE } from './gateway.js';
import { GRPC_AGENT_TEMPLATE, GRPC_SIMPLE_TEMPLATE } from './grpc.js';
import { SIDECAR_TEMPLATE } from './sidecar.js';

export { GATEWAY_TEMPLATE, GRPC_AGENT_TEMPLATE, GRPC_SIMPLE_TEMPLATE, SIDECAR_TEMPLATE };

export const INJECTION_TEMPLATES: Record<string, string> = {
  sidecar: SIDECAR_TEMPLATE,
  gateway: GATEWAY_TEMPLATE,
  'grpc-simple': GRPC_SIMPLE_TEMPLATE,
  'grpc-agent': GRPC_AGENT_TEMPLATE,
};
