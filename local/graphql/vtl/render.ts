/**
 * VTL request and response mapping templates, rendered by velocityjs (a maintained Velocity
 * engine) with AppSync's `$ctx`/`$context`, `$util`/`$utils` and `$extensions`, and read as JSON
 * as AppSync reads them. `#return(value)` ends the template with that value (from a request
 * template it skips the data source and the response template).
 */
import { Compile, parse } from 'velocityjs';
import { EarlyReturn, type Effects, type HandlerOutcome, withEffects } from '../effects.js';
import { FieldError } from '../errors.js';
import { javaMethodHandlers } from './methods.js';
import { extensions, vtlUtil } from './util.js';

export class VtlError extends Error {
  override readonly name = 'VtlError';
}

/** Thrown through velocityjs, which appends its position to the message of any Error it sees. */
class Thrown {
  constructor(readonly error: unknown) {}
}

/** Every function in `value` (deeply) rethrowing what it throws as `Thrown`. */
function guarded<T>(value: T): T {
  if (typeof value === 'function') {
    return ((...args: unknown[]) => {
      try {
        // A void method renders nothing (velocityjs would print the reference's text).
        const result = (value as (...a: unknown[]) => unknown)(...args);
        return result === undefined ? '' : result;
      } catch (error) {
        throw error instanceof EarlyReturn ? error : new Thrown(error);
      }
    }) as T;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, guarded(v)])) as T;
  }
  return value;
}

const macros = {
  return: (value?: unknown) => {
    throw new EarlyReturn(value ?? null);
  },
};

export interface CompiledTemplate {
  /** Renders and reads the output as JSON. */
  run(ctx: { readonly identity: unknown }, effects: Effects): HandlerOutcome;
}

export function compileTemplate(text: string, name: string): CompiledTemplate {
  // `#return` without arguments is a macro call velocityjs only recognizes with parentheses.
  const source = text.replace(/#return(?!\s*\()/g, '#return()');
  let compiled: Compile;
  try {
    compiled = new Compile(parse(source), { escape: false, customMethodHandlers: javaMethodHandlers });
  } catch (error) {
    throw new VtlError(`${name}: the mapping template does not parse: ${(error as Error).message}`);
  }
  const ext = guarded(extensions);
  return {
    run(ctx, effects) {
      const util = guarded(vtlUtil(ctx.identity));
      return withEffects(effects, () => {
        let output: string;
        try {
          output = compiled.render({ ctx, context: ctx, util, utils: util, extensions: ext }, macros);
        } catch (error) {
          if (error instanceof Thrown) throw error.error;
          throw error instanceof EarlyReturn ? error : new FieldError('MappingTemplate', `${name}: ${(error as Error).message}`);
        }
        const trimmed = output.trim();
        if (trimmed === '') return null;
        try {
          return JSON.parse(trimmed) as unknown;
        } catch {
          throw new FieldError('MappingTemplate', `${name}: the template's output is not JSON: ${trimmed.slice(0, 200)}`);
        }
      });
    },
  };
}
