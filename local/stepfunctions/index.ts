/**
 * The local Step Functions as the local stack starts it: the API endpoint listens first (its
 * URL goes into every function's AWS_ENDPOINT_URL_SFN), then `load` reads the state machines
 * from the synthesized template and starts answering.
 */
import { join } from 'node:path';
import { isAllowed } from '../cdk/iam-policy.js';
import { type CfnTemplate, type LocalValues, resolveIntrinsics } from '../cdk/template.js';
import type { PolicyStatement, RoleSpec } from '../cdk/topology.js';
import { type ApiPrincipal, listenStepFunctionsApi } from './api.js';
import { readStateMachines } from './definitions.js';
import { LocalStepFunctions } from './service.js';
import { fileExecutionStore, memoryExecutionStore } from './store.js';

export { FunctionNotFoundError, LocalStepFunctions } from './service.js';

export interface LocalStepFunctionsOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Where executions are kept across restarts; null keeps them in memory. */
  readonly stateDir: string | null;
  /** Every retry waits this long instead of the definition's interval (tests). */
  readonly retryIntervalMs?: number;
  readonly log: (line: string) => void;
}

export interface StepFunctionsCaller {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly arn: string;
  /** The role whose policy decides; undefined with `fullAccess` for the local developer. */
  readonly roleLogicalId: string | undefined;
  readonly fullAccess: boolean;
}

export interface StepFunctionsWiring {
  readonly template: CfnTemplate;
  readonly values: LocalValues;
  readonly roles: ReadonlyMap<string, RoleSpec>;
  readonly callers: readonly StepFunctionsCaller[];
  /** Invokes the local function of this name (a logical id); rejects with FunctionError or FunctionNotFoundError. */
  readonly invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
}

export interface LocalStepFunctionsHandle {
  /** What AWS_ENDPOINT_URL_SFN is set to. */
  readonly url: string;
  load(wiring: StepFunctionsWiring): Promise<LocalStepFunctions>;
  stop(): Promise<void>;
}

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctionsHandle> {
  let principals = new Map<string, ApiPrincipal>();
  const endpoint = await listenStepFunctionsApi({ port: options.port, region: options.region, principal: (key) => principals.get(key) });
  let service: LocalStepFunctions | undefined;

  return {
    url: endpoint.url,
    async load(wiring) {
      const policies = resolvedPolicies(wiring.roles, wiring.values);
      const roleAllows = (roleLogicalId: string | undefined, action: string, resource: string) =>
        roleLogicalId !== undefined && isAllowed(policies.get(roleLogicalId) ?? [], action, resource);
      principals = new Map(
        wiring.callers.map((caller) => [
          caller.accessKeyId,
          {
            accessKeyId: caller.accessKeyId,
            secretAccessKey: caller.secretAccessKey,
            arn: caller.arn,
            allows: (action: string, resource: string) => caller.fullAccess || roleAllows(caller.roleLogicalId, action, resource),
          },
        ]),
      );
      service = new LocalStepFunctions({
        stateMachines: readStateMachines(wiring.template, wiring.values),
        region: options.region,
        accountId: options.accountId,
        invokeFunction: wiring.invokeFunction,
        roleAllows,
        ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
        store: options.stateDir === null ? memoryExecutionStore() : fileExecutionStore(join(options.stateDir, 'stepfunctions')),
        log: options.log,
      });
      await service.restore();
      endpoint.attach(service);
      return service;
    },
    async stop() {
      await service?.close();
      await endpoint.close();
    },
  };
}

function resolvedPolicies(roles: ReadonlyMap<string, RoleSpec>, values: LocalValues): Map<string, PolicyStatement[]> {
  return new Map(
    [...roles.values()].map((role) => [
      role.logicalId,
      role.statements.map((statement) => ({ ...statement, Resource: resolveIntrinsics(statement.Resource, values) })),
    ]),
  );
}
