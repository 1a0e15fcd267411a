// Stands in for node-fetch in the CLI bundle (scripts/build.mjs). @kubernetes/client-node's
// KubeConfig imports `Headers` from node-fetch for applyToFetchOptions(), which mesh never calls
// (mesh's HTTP stack is undici, src/kube/real/http.ts); bundling node-fetch pulled in whatwg-url and
// tr46's 300 KB mapping table, evaluated at start-up of every command that talks to a cluster.
// Node's own fetch Headers and fetch have the same interface. Both are looked up only when used:
// reading globalThis.Headers at start-up loads Node's built-in copy of undici (about 10 ms).
export class Headers {
  constructor(init) {
    return new globalThis.Headers(init);
  }
}
export default function fetch(input, init) {
  return globalThis.fetch(input, init);
}
// Re-exported by client-node's index; mesh never throws or catches them.
export class AbortError extends Error {}
export class FetchError extends Error {}
