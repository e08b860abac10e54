/** What StartExecution accepts, checked as AWS checks it: the execution's name and its JSON input. */
import { randomUUID } from 'node:crypto';
import { invalidExecutionInput, invalidName } from './errors.js';
import type { JSONValue } from './library.js';

const MAX_INPUT_BYTES = 256 * 1024;
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** The execution's name: the one given, or a random UUID. */
export function executionNameOf(given: unknown): string {
  const name = given === undefined || given === null ? randomUUID() : given;
  if (typeof name !== 'string' || name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) {
    throw invalidName(`Invalid Name: '${String(name)}'`);
  }
  return name;
}

/** The input as given (`{}` when absent) and as parsed. */
export function executionInputOf(given: unknown): { readonly text: string; readonly value: JSONValue } {
  const text = given === undefined || given === null ? '{}' : given;
  if (typeof text !== 'string') throw invalidExecutionInput('Invalid State Machine Execution Input: input must be a string');
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
    throw invalidExecutionInput(`Invalid State Machine Execution Input: the input exceeds ${MAX_INPUT_BYTES} bytes`);
  }
  try {
    return { text, value: JSON.parse(text) as JSONValue };
  } catch {
    throw invalidExecutionInput("Invalid State Machine Execution Input: 'Unexpected token'");
  }
}
