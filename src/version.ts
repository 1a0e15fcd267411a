/**
 * The mesh version. scripts/build.mjs defines `__MESH_VERSION__` (package.json's version) in the
 * bundle; run from source (tests, tsx) it is the development version.
 */
declare const __MESH_VERSION__: string;
export const MESH_VERSION: string = typeof __MESH_VERSION__ === 'string' ? __MESH_VERSION__ : '0.0.0-dev';

/** The User-Agent of every request mesh makes: to the API server, and to istiod and Envoy through a port-forward. */
export const USER_AGENT = `mesh/${MESH_VERSION}`;
