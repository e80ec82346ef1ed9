// Lint rules that protect the invariants style.md cares about: no floating promises, no `any`,
// type-only imports, and the dependency direction (services never import each other; only
// adapter files import drivers).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const drivers = ['mysql2', 'mysql2/*', 'better-sqlite3', 'kafkajs', 'ioredis', 'bullmq', '@aws-sdk/*'];
const serviceNames = ['executive', 'loader', 'reflector', 'supervisor', 'embedded'];

/** Services may import lib/, never another service. */
const noCrossServiceImports = serviceNames.map((name) => ({
  files: [`services/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: serviceNames.filter((n) => n !== name).map((n) => `**/services/${n}/**`),
            message: 'Services never import each other; move shared code to lib/.',
          },
          {
            group: drivers,
            message: 'Only adapter files (*-adapter.ts, adapters/) import drivers.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.stack/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/**/adapters/**', 'lib/**/*-adapter.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: drivers, message: 'Only adapter files import drivers.' }] },
      ],
    },
  },
  ...noCrossServiceImports.map((c) => ({
    ...c,
    ignores: ['services/**/adapters/**', 'services/**/*-adapter.ts'],
  })),
  {
    files: [
      'test/**/*.ts',
      'bench/**/*.ts',
      'cli/**/*.ts',
      'stack/**/*.ts',
      'eslint.config.js',
      'vitest.config.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(only|skip|todo)$/][callee.object.name=/^(it|test|describe)$/]',
          message: 'No focused, skipped or todo tests.',
        },
      ],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
