/**
 * Cognito's errors, with the exact messages the service sends (see
 * shared/reference/cognito-behaviour.md, section 6). The HTTP adapter maps them to the
 * `{"__type","message"}` body and `x-amzn-ErrorType` header in one place.
 */
export class CognitoError extends Error {
  readonly type: string;
  readonly statusCode: number;

  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'CognitoError';
    this.type = type;
    this.statusCode = statusCode;
  }
}

const error = (type: string) => (message: string) => new CognitoError(type, message);

export const notAuthorized = error('NotAuthorizedException');
export const invalidParameter = error('InvalidParameterException');
export const invalidPassword = error('InvalidPasswordException');
export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
export const userNotConfirmed = () => new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
export const usernameExists = (message = 'User already exists') => new CognitoError('UsernameExistsException', message);
export const codeMismatch = () => new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
export const expiredCode = () => new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
export const resourceNotFound = error('ResourceNotFoundException');
export const aliasExists = () => new CognitoError('AliasExistsException', 'An account with the given email already exists.');

export const INCORRECT = 'Incorrect username or password.';
export const incorrectCredentials = () => notAuthorized(INCORRECT);
export const passwordAttemptsExceeded = () => notAuthorized('Password attempts exceeded');
