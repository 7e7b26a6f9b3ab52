// ESLint flat config: typescript-eslint's recommended rules, Prettier owns the layout, and the plugin boundaries of
// CONTRIBUTING.md as import rules (plugins reach the harness only through its public entry points).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const PUBLIC_ENTRY_ONLY = {
  // Anything under benchmark/ other than the two public entry points.
  regex: String.raw`(^|/)benchmark/(?!index\.ts$|testkit/index\.ts$)`,
  message:
    'Plugins import the harness only through benchmark/index.ts and benchmark/testkit/index.ts (CONTRIBUTING.md).',
};
const NO_OTHER_PLUGIN = {
  // From <kind>/<id>/file.ts, "../<other-id>/…" is another plugin's folder; "../_shared/…" is the kind's shared code.
  regex: String.raw`^\.\./(?!_)[^./][^/]*/`,
  message:
    "A plugin never imports another plugin's folder: move shared code into its kind's _shared/ (the hash covers it).",
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'runs/',
      '.cache/',
      '.coord/',
      '.calib/',
      'tmp/',
      'coverage/',
      'leaderboard/results/',
      '**/*.d.ts',
      // Throw-away plugin trees the hostile and contributor tests build (and remove) while they run.
      '**/.plugins-*/',
      '**/.staging-*/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Prettier's width. It cannot break a template literal (inline Markdown snapshots, fixture source, messages built
      // from several values) or a regular expression, so those lines are the only ones allowed past it.
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreTemplateLiterals: true }],
    },
  },
  {
    // Experiment scripts measure named plugins, so they may import them; the harness still only through the entries.
    files: ['attacks/**/*.ts', 'defenses/**/*.ts', 'victims/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [PUBLIC_ENTRY_ONLY] }] },
  },
  {
    files: ['attacks/**/*.ts', 'defenses/**/*.ts', 'victims/**/*.ts'],
    ignores: ['attacks/_experiments/**', 'defenses/_experiments/**', '**/experiments/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [PUBLIC_ENTRY_ONLY, NO_OTHER_PLUGIN] }] },
  },
  {
    // The kit and the attacks' shared test helpers take plugins of every option type: `any` is the honest type there.
    files: ['benchmark/testkit/**/*.ts', 'attacks/_shared/testing.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
