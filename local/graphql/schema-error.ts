/** A schema or resolver configuration AppSync would not accept. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}
