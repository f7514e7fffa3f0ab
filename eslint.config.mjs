// ESLint flat config: typescript-eslint's recommended rules on every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'bench-results/', '.scratch/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        module: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    // The product reads its settings only through cloud/config.ts: validated there by one zod
    // schema, so a bad value stops start-up with one line naming the variable, and the README's
    // configuration table (test/unit/readme-config.test.ts) sees every one. No exceptions: even
    // LOG_LEVEL, needed before the configuration loads, is read by config.ts (logLevelFromEnv).
    files: ['cloud/**/*.ts'],
    ignores: ['cloud/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through cloud/config.ts (getConfig() or the Config in deps).',
        },
      ],
    },
  },
  {
    // Plain CommonJS that runs before any TypeScript is compiled (scripts/run.cjs).
    files: ['**/*.cjs'],
    languageOptions: { globals: { performance: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
