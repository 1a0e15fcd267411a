/** mesh's own version: package.json's, put in by the build (scripts/build.mjs); 0.0.0-dev when run from source. */
declare const __MESH_VERSION__: string;
export const MESH_VERSION: string = typeof __MESH_VERSION__ === 'string' ? __MESH_VERSION__ : '0.0.0-dev';
