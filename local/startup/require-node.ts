/**
 * Imported first by `npm start`: on a Node older than package.json's `engines`, one line says
 * which version is needed, before any module that needs a newer Node is loaded.
 */
import { fileURLToPath } from 'node:url';
import { enginesOf, unsupportedNode } from './node-runtime.js';

const refusal = unsupportedNode(process.version, enginesOf(fileURLToPath(new URL('../../package.json', import.meta.url))));
if (refusal) {
  console.error(refusal);
  process.exit(1);
}
