import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface StageSettings {
  readonly removalPolicy?: RemovalPolicy;
  readonly logRetention?: RetentionDays;
}

/**
 * What every construct keeps when its stage says nothing, in one place: data and logs outlive
 * the stack (`cdk destroy` of production must not delete them; dev stages pass DESTROY), and
 * log groups get no retention of their own (INFINITE leaves RetentionInDays unset), so the
 * production posture gives them the stage's (docs/operations.md).
 */
export function stageDefaults(props: StageSettings): Required<StageSettings> {
  return {
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    logRetention: props.logRetention ?? RetentionDays.INFINITE,
  };
}
