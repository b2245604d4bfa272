// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The start of an SQL statement, as a string in code would hold one. */
const SQL_STATEMENT =
  '/^\\s*(SELECT\\s|INSERT\\s+INTO|UPDATE\\s+\\S+\\s+SET|DELETE\\s+FROM|CREATE\\s+(TABLE|INDEX|UNIQUE)|ALTER\\s+TABLE|DROP\\s+(TABLE|INDEX)|PRAGMA\\s|WITH\\s+\\w+\\s+AS\\s*\\()/i';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'test/generated/**',
      'artifacts/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The bench's load generator and baseline run as plain CommonJS Node scripts.
    files: ['bench/**/*.js', 'test/**/*.js', '*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Only the stores hold SQL: a statement in a string anywhere else in src/ is an error. The
    // OData layer's translator and dialects produce SQL fragments from the checked query tree,
    // which is their job; migrations and the database wiring are stores of a kind.
    files: ['src/**/*.ts'],
    ignores: [
      'src/**/*.spec.ts',
      'src/database/**',
      'src/**/*.repository.ts',
      'src/**/*.store.ts',
      'src/odata/query/sql-translator.ts',
      'src/odata/query/sql-dialect.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Literal', 'TemplateElement'].map((node) => ({
          selector: `${node}[${node === 'Literal' ? 'value' : 'value.raw'}=${SQL_STATEMENT}]`,
          message: 'SQL belongs in a store (*.repository.ts, *.store.ts, src/database/).',
        })),
      ],
    },
  },
  {
    // The console's build script runs as an ES module in Node.
    files: ['scripts/**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: { console: 'readonly', process: 'readonly' },
    },
  },
  {
    // Tests read JSON response bodies, whose shape is what they assert.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
