// A stand-in for the source-map-support package, for CDK apps run without their own
// node_modules (docs/local-stack.md, "--app-dir"): `cdk init` apps import
// 'source-map-support/register' only to map stack traces to their TypeScript. Node does that
// itself once source maps are enabled, and tsx (which runs such apps here) writes the maps.
'use strict';

function install() {
  process.setSourceMapsEnabled(true);
}

module.exports = { install, wrapCallSite: (frame) => frame, getErrorSource: () => null, resetRetrieveHandlers: () => undefined };
