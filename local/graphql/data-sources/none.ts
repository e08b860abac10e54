import type { DataSourceRunner } from './types.js';

/** NONE: the request's `payload` is the result (AppSync's local resolvers). */
export const noneDataSource: DataSourceRunner = {
  run: async (request) => ({ ok: true, result: (request as { payload?: unknown } | null | undefined)?.payload ?? null }),
};
