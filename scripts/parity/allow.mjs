// The render parity allow-list: differences between `mesh manifest generate` and
// `istioctl manifest generate` that are deliberate. Each entry: case (name, regexp or '*'), object
// (kind/namespace/name, regexp or string), path (field path, regexp; '' or omitted for an object
// only in mesh) and the reason. docs/render.md ("Differences from istioctl") explains each.
export const ALLOW = [];
