import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  UserPool,
  type IUserPool,
  type IUserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import { stageDefaults } from './stage-defaults.js';

export interface UsersProps {
  /**
   * What happens to the user pool when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The group whose members may approve orders (their tokens carry it in `cognito:groups`). */
export const APPROVERS_GROUP = 'approvers';

/**
 * The API's users: a Cognito user pool where people sign up themselves (e-mail verified with a
 * code) or administrators create accounts, users sign in with their e-mail address, one public
 * client for the web app, and the `approvers` group.
 */
export class Users extends Construct {
  public readonly userPool: IUserPool;
  public readonly userPoolClient: IUserPoolClient;
  public readonly userPoolId: string;
  public readonly userPoolClientId: string;

  constructor(scope: Construct, id: string, props: UsersProps = {}) {
    super(scope, id);
    const { removalPolicy } = stageDefaults(props);

    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Users may protect their account with an authenticator app; no SMS (cost, SIM swapping).
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    acknowledge(
      userPool,
      'AwsSolutions-COG2',
      'MFA is offered (TOTP, optional) but not required: requiring it is a product decision for the user base; sign-up verifies the e-mail address and the password policy asks for 12 characters of every class',
    );
    acknowledge(
      userPool,
      'AwsSolutions-COG8',
      'Threat protection needs the Plus feature plan, billed per active user; accounts with a verified e-mail and a 12-character password policy start on Essentials. Switch featurePlan when the user base warrants it',
    );

    const client = userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
    });

    new CfnUserPoolGroup(this, 'ApproversGroup', {
      userPoolId: userPool.userPoolId,
      groupName: APPROVERS_GROUP,
      description: 'May approve orders',
    });

    this.userPool = userPool;
    this.userPoolClient = client;
    this.userPoolId = userPool.userPoolId;
    this.userPoolClientId = client.userPoolClientId;
  }
}
