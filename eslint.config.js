import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries (domain faces, the module graph, cycles, core ↔ adapters) are dependency-cruiser's job:
// .dependency-cruiser.cjs, run by `npm run lint`.
export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.cache/', '.scratch/', 'server/web/static/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[left.property.name='NODE_ENV']",
          message: 'Inject the dependency instead of branching on NODE_ENV.',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
