// The render parity allow-list: differences between `mesh manifest generate` and
// `istioctl manifest generate` that are deliberate. Each entry: case (name, regexp or '*'), object
// (kind/namespace/name, regexp or string), path (field path, regexp; '' for an object only in mesh)
// and the reason. docs/render.md ("Differences from istioctl") explains each.
export const ALLOW = [
  {
    object: /^Namespace\/\//,
    path: '',
    reason: 'mesh renders the namespaces it installs into, so `manifest generate | kubectl apply` works; istioctl creates them when installing',
  },
  {
    object: /^ConfigMap\/[^/]+\/values(-[^/]+)?$/,
    path: /^data\.merged-values(\.|$)/,
    reason:
      "merged-values is a debugging record of the chart values (its own annotation: modifying it has no effect); mesh records its own values model, not Helm's flattened istiod chart values",
  },
  {
    object: /^ConfigMap\/[^/]+\/values(-[^/]+)?$/,
    path: /^data\.original-values\./,
    reason:
      "original-values (debugging only): mesh's profiles carry the settings Istio keeps in per-chart profile files, so for profiles other than default they show up among the operator's values",
  },
  {
    case: 'gateway-custom-name',
    object: /\/my-gateway(-service-account)?$/,
    path: /^(metadata\.labels|spec\.selector(\.matchLabels)?|spec\.template\.metadata\.labels)\.(app|istio)$/,
    reason:
      "a gateway with its own name and no `label` selects its own pods (app: <name>, istio: <name without istio->); istioctl gives it the default gateway's app/istio labels, so its Service would also select the default gateway's pods",
  },
];
