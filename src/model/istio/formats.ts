/**
 * The formats the precompiled validators call (validators-codegen.ts): ajv-formats' full set and
 * the duration format, the same functions the run-time compiler registers (validators.ts).
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { DURATION_FORMAT } from './validator-schema.js';

export const MESH_FORMATS = { ...fullFormats, duration: DURATION_FORMAT };
