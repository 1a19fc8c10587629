// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// Where a file may import from: libs never reach into apps/, and only through a lib's index.
const IMPORT_BOUNDARIES = [
  { group: ['**/apps/**', '../apps/*'], message: 'A lib never imports from apps/.' },
  {
    group: ['@bourse/*/src/*', '@bourse/*/src'],
    message: 'Import a lib through its index: @bourse/<name>.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'clients/typescript/src/schema.d.ts',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // apps/web (.tsx) has its own tsconfig (DOM, JSX, bundler resolution); vite.config.mts is in
    // neither, so the project service types it as a default project.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vite.config.mts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['./tsconfig.json', './apps/web/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'padding-line-between-statements': [
        'error',
        { blankLine: 'always', prev: '*', next: 'return' },
      ],
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-restricted-imports': ['error', { patterns: IMPORT_BOUNDARIES }],
    },
  },
  {
    // Tests and benchmarks may reach into the apps to boot them.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'apps/**/*.ts', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The platform knows no business: the libs register with it (config sections, audit
    // vocabularies, roles) and the apps hand it their migrations, never the reverse. Its specs too.
    // libs/platform/src/platform-boundaries.spec.ts keeps the domains' names out of its code.
    files: ['libs/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...IMPORT_BOUNDARIES,
            {
              group: ['@bourse/*', '!@bourse/platform'],
              message: 'The platform imports no business lib; the lib registers with the platform.',
            },
            {
              group: ['**/migrations', '**/migrations/**'],
              message:
                "The platform takes the app's migrations: dataSourceOptions(db, { migrations }).",
            },
          ],
        },
      ],
    },
  },
  {
    // Plain Node CommonJS scripts (bench/), run without a build step.
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        [
          'require',
          'module',
          '__dirname',
          'process',
          'console',
          'fetch',
          'URL',
          'setTimeout',
          'clearTimeout',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
