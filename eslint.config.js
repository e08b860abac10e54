// APPSYNC_JS resolvers are linted with AppSync's own rules (@aws-appsync/eslint-plugin), plus
// `throw`, which the runtime refuses and the plugin does not check. The local stack applies the
// same rules when it loads resolver code (local/graphql/appsync-js.ts). The TypeScript resolvers
// under resolvers/appsync/ are linted as their deployed bundles, named as the `.js` they become
// (scripts/lint-appsync.ts).
import appsync from '@aws-appsync/eslint-plugin';

export const APPSYNC_JS_FILES = ['resolvers/appsync/**/*.js', 'test/conformance/fixture/resolvers/**/*.js'];

export default [
  { ignores: ['node_modules/**', 'cdk.out/**', '.local/**'] },
  {
    ...appsync.configs.base,
    files: APPSYNC_JS_FILES,
    languageOptions: { ...appsync.configs.base.languageOptions, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      ...appsync.configs.base.rules,
      'no-restricted-syntax': ['error', { selector: 'ThrowStatement', message: 'throw is not supported by APPSYNC_JS; use util.error().' }],
    },
  },
];
