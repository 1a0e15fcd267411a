// ESLint flat config. `npm run lint` (part of `npm test`) runs it over src/, test/ and scripts/.
// src/ gets the type-aware rules and the layer rules of docs/architecture.md ("may import");
// test/ and scripts/ a lighter set (syntax-level rules plus the floating-promise check for test/).
// Formatting is Prettier's (`npm run format`); eslint-config-prettier turns off the rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The top-level parts of src/ (folders and the shared single files). */
export const LAYERS = [
  'cli',
  'render',
  'model',
  'apply',
  'analyze',
  'restart',
  'status',
  'proxyconfig',
  'precheck',
  'tag',
  'upgrade',
  'kube',
  'output',
  'util',
];
const SHARED = ['errors.ts', 'yaml-input.ts', 'version.ts'];

/**
 * docs/architecture.md's layer table: what each part of src/ may import besides itself and the shared
 * files (src/errors.ts, src/yaml-input.ts, src/version.ts). Keep the two in step.
 */
export const MAY_IMPORT = {
  cli: LAYERS,
  render: ['model', 'util'],
  model: ['util'],
  apply: ['kube', 'model', 'output', 'util'],
  analyze: ['kube', 'model', 'util'],
  restart: ['kube', 'model', 'output', 'util'],
  status: ['kube', 'model', 'output', 'util'],
  proxyconfig: ['kube', 'status', 'output', 'util'],
  precheck: ['kube', 'model', 'util'],
  tag: ['kube', 'model', 'util'],
  upgrade: ['apply', 'restart', 'tag', 'precheck', 'kube', 'model', 'output', 'util'],
  kube: ['model', 'util'],
  output: ['util'],
  util: [],
};

const layerZones = [
  ...Object.entries(MAY_IMPORT)
    .map(([layer, allowed]) => ({
      target: `./src/${layer}`,
      from: LAYERS.filter((l) => l !== layer && !allowed.includes(l)).map((l) => `./src/${l}`),
      message: `docs/architecture.md: src/${layer} may import only ${[...allowed.map((l) => `src/${l}`), 'the shared files'].join(', ')}.`,
    }))
    .filter((zone) => zone.from.length > 0),
  // The shared files import no part of src/ (only the yaml package).
  ...SHARED.map((file) => ({
    target: `./src/${file}`,
    from: LAYERS.map((l) => `./src/${l}`),
    message: `docs/architecture.md: src/${file} is shared by every layer and imports none of them.`,
  })),
  // The analyzers are pure: they see the cluster only through the analysis context (src/analyze/io reads it).
  {
    target: ['./src/analyze/analyzers', './src/analyze/lib'],
    from: ['./src/kube'],
    message: 'docs/architecture.md: analyzers see the cluster only through the analysis context; src/analyze/io reads it.',
  },
  // Inside src/cli: an action imports its options, never its command or the program (that was a cycle).
  {
    target: './src/cli/actions',
    from: ['./src/cli/commands', './src/cli/program.ts', './src/cli/main.ts'],
    message: 'actions/* import the flag types and validate() from options/*, not from commands/* or program.ts.',
  },
  {
    target: './src/cli/options',
    from: ['./src/cli/commands', './src/cli/actions', './src/cli/program.ts', './src/cli/main.ts'],
    message: 'options/* are imported by commands/* and actions/*; they import neither.',
  },
];

// commands/* and options/* are loaded for `mesh --help`: only type imports from the cores, so that
// the Kubernetes client, the renderer and the analyzers stay in lazily imported chunks.
const heavyForHelp = {
  group: [
    '**/kube/**',
    '**/render/**',
    '**/apply/**',
    '**/restart/**',
    '**/status/**',
    '**/analyze/**',
    '!**/analyze/messages.js',
    '!**/analyze/suppress.js',
    '**/proxyconfig/**',
    '**/tag/**',
    '**/upgrade/**',
    '!**/proxyconfig/ports.js',
    '**/actions/**',
  ],
  allowTypeImports: true,
  message: 'commands/* and options/* are loaded for mesh --help: import a core only as a type, or inside the action with import().',
};

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**'] },
  {
    files: ['**/*.{ts,mjs,js}'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // --- src/: type-aware ---
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked, importX.flatConfigs.typescript],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // String() of untyped input (parsed YAML, Helm-style values, API server status fields) is deliberate,
      // as the charts print such values with Go's %v; the rule cannot tell those from a real mistake.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      'import-x/no-duplicates': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      // Only src/cli touches the process's argv, streams and exit code (docs/architecture.md).
      'no-restricted-properties': [
        'error',
        ...['argv', 'exit', 'exitCode', 'stdout', 'stderr', 'stdin', 'env'].map((property) => ({
          object: 'process',
          property,
          message: 'only src/cli touches argv, stdout/stderr/stdin, the environment and exit codes; take them as options.',
        })),
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/cli/commands/**/*.ts', 'src/cli/options/**/*.ts', 'src/cli/program.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [heavyForHelp] }] },
  },
  // --- test/: syntax-level rules, and no promise left floating (a test that cannot fail) ---
  {
    files: ['test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An un-awaited assert.rejects() is a test that cannot fail. node:test's test/it/describe return
      // promises that the runner itself waits for.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests feed and look for control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  // --- scripts/ and the harness's .mjs: plain JavaScript on Node ---
  {
    files: ['**/*.{mjs,js}'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: globals.node,
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  prettier,
);
