/** APPSYNC_JS rows (test/conformance/appsync-js.test.ts): the simulator runs VTL only. */
import type { Probe } from '../probe.js';

const JS_ONLY = 'APPSYNC_JS only (the simulator runs VTL templates)';

export const appsyncJsProbes: Probe[] = [
  { id: 'js.dataSources', behaviour: 'NONE, Lambda, DynamoDB data sources from APPSYNC_JS', cannotRun: JS_ONLY },
  { id: 'js.util', behaviour: '`util.*` in APPSYNC_JS', cannotRun: JS_ONLY },
  {
    id: 'js.ctxError',
    behaviour: "a Lambda data source's error in `ctx.error`",
    cannotRun: `${JS_ONLY}; in VTL, $ctx.error.type of a thrown Lambda error is what lambda.error shows`,
  },
  { id: 'js.syntax', behaviour: 'syntax AppSync refuses', cannotRun: JS_ONLY },
];
