import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** The key the topic's messages are encrypted with (CloudWatch may use it: see DataKey). */
  readonly masterKey: IKey;
  /**
   * Who is e-mailed when an alarm changes state (context `alarmEmail`). Subscribe chat or paging
   * tools to the topic itself.
   * @default no subscriber
   */
  readonly email?: string;
}

/** The one SNS topic every alarm of the stack notifies: the on-call engineer's inbox. */
export class AlarmTopic extends Construct {
  public readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Alarms',
      masterKey: props.masterKey,
      enforceSSL: true,
    });
    if (props.email !== undefined) {
      this.topic.addSubscription(new EmailSubscription(props.email));
    }
  }
}
