/**
 * The mesh version. scripts/build.mjs defines `__MESH_VERSION__` (package.json's version) in the
 * bundle; run from source (tests, tsx) it is the development version.
 */
declare const __MESH_VERSION__: string;
export const MESH_VERSION: string = typeof __MESH_VERSION__ === 'string' ? __MESH_VERSION__ : '0.0.0-dev';
