/**
 * A part of the local stack cannot start for a reason a person fixes (a missing program, too old
 * a version). Its message is one line that says what to do; `npm start` prints it without a
 * stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
