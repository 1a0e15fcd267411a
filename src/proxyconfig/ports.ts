/** Envoy's admin port in an Istio sidecar (where /config_dump and /clusters are served). */
export const ADMIN_PORT = 15000;
