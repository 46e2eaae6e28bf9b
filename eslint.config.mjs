// ESLint over src/ and test/ (`npm run lint`): ESLint's own recommended rules and
// typescript-eslint's. Types are checked apart, by tsc (tsconfig.test.json: src/ and the tests).
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

/** ESLint's recommended rules, read from the rules themselves (the same list @eslint/js ships). */
const eslintRecommended = Object.fromEntries([...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'minio/', '**/*.d.ts'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  { files: ['**/*.ts'], rules: eslintRecommended },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `_name` marks what is left out on purpose (a destructured field dropped, an argument unused).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Own modules are loaded on first use with require() (src/util/lazy.ts says why); packages are imported.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\.\\.?/'] }],
    },
  },
  {
    // The embedded server's child process: plain CommonJS run by node.
    files: ['src/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' } },
    rules: { ...eslintRecommended, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read the CLI's JSON output and hand-edited stored documents, untyped by nature.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
