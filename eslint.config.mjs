// ESLint flat config: typescript-eslint's type-checked rules, no floating promises, and module boundaries.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * A module may not reach into another module's repositories or other internals: only its service, mapper types and DTOs.
 * Entities of another module may be imported as types only, for relations declared by entity name (no runtime coupling).
 */
const moduleBoundaries = {
  paths: [
    {
      name: 'class-validator',
      importNames: ['IsOptional'],
      message: 'IsOptional lets null through as a value: use Omittable() (null refused) or Nullable() (null documented) from shared/http/validators.',
    },
  ],
  patterns: [
    {
      regex: '^\\.\\./(\\.\\./)*(?:modules/)?[a-z-]+/(?:.+/)?[^/]+\\.repository(\\.js)?$',
      message: "Another module's repositories are its internals: call its service instead.",
    },
    {
      // src/shared/database/entities is not a module: UserEntity is the base class AgentEntity and ContactEntity extend.
      regex: '^\\.\\./(\\.\\./)*(?:modules/)?(?!shared/)[a-z-]+/(?:.+/)?entities/.*$',
      allowTypeImports: true,
      message: "Another module's entities may be imported as types only (for relations declared by entity name).",
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'client/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'bench/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/modules/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', moduleBoundaries] },
  },
  {
    // Tests read JSON answers and stub callbacks (supertest's `body` is `any`); their shapes are checked against the
    // contract by the response validator, so the no-unsafe-* family would only restate that.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
