/**
 * A local SQS queue kept on disk (local/messaging/queue-journal.ts): what a new process finds on
 * the same folder after the old one stopped at any point, as SQS keeps messages through any
 * failure of its own. The "restart" is a new LocalQueue on the same journal; the old one is
 * simply dropped, as a process killed with SIGKILL is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue, type QueueSpec } from '../../../local/messaging/queue.js';
import { QueueJournal } from '../../../local/messaging/queue-journal.js';
import { queueSpec } from '../../support/queues.js';

class Clock {
  constructor(public ms = 1_000_000) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

const all = { attributeNames: ['All'], messageAttributeNames: ['All'] };

describe('a local SQS queue on disk, after the process that held it is gone', () => {
  let dir: string;
  let clock: Clock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'queue-journal-'));
    clock = new Clock();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A work queue redriving to a DLQ after 2 receives, both journaled in `dir`: a fresh process's view. */
  function open() {
    const queues = new Map<string, LocalQueue>();
    const spec = (name: string, redrive?: QueueSpec['redrive']) => queueSpec(name, { redrive });
    const lookup = (arn: string) => queues.get(arn);
    const dlq = new LocalQueue(spec('dlq'), lookup, clock.now, new QueueJournal(join(dir, 'dlq.jsonl')));
    const queue = new LocalQueue(
      spec('work', { deadLetterTargetArn: dlq.spec.arn, maxReceiveCount: 2 }),
      lookup,
      clock.now,
      new QueueJournal(join(dir, 'work.jsonl')),
    );
    queues.set(dlq.spec.arn, dlq);
    queues.set(queue.spec.arn, queue);
    return { queue, dlq };
  }

  it('given a visible, a delayed, an in-flight and a deleted message, when reopened, then the visible one is there, the delayed one after its delay, the in-flight one after its visibility timeout with its receive count, the deleted one never', async () => {
    const before = open();
    before.queue.send({ body: 'in-flight', senderId: 's' });
    const [inFlight] = await before.queue.receive(all);
    before.queue.send({ body: 'deleted', senderId: 's' });
    const [deleted] = await before.queue.receive(all);
    before.queue.delete(deleted!.ReceiptHandle);
    before.queue.send({ body: 'visible', senderId: 's', attributes: { kind: { DataType: 'String', StringValue: 'v' } } });
    before.queue.send({ body: 'delayed', senderId: 's', delaySeconds: 60 });

    const after = open();

    // Each receive holds what it took for 1000 s: every message shows up once, when it is due.
    const take = async () => (await after.queue.receive({ ...all, maxMessages: 10, visibilityTimeoutSeconds: 1_000 })).map((m) => m);
    const now = await take();
    expect(now.map((m) => m.Body)).toEqual(['visible']);
    expect(now[0]?.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'v' } });
    clock.advance(29);
    expect(await take()).toEqual([]);
    clock.advance(2);
    const back = await take();
    expect(back.map((m) => [m.MessageId, m.Body, m.Attributes['ApproximateReceiveCount']])).toEqual([[inFlight!.MessageId, 'in-flight', '2']]);
    clock.advance(30);
    expect((await take()).map((m) => m.Body)).toEqual(['delayed']);
    clock.advance(3_600);
    // The in-flight one has had its 2 receives: the next receive moves it to the dead-letter queue.
    expect((await take()).map((m) => m.Body).sort()).toEqual(['delayed', 'visible']);
    expect((await after.dlq.receive(all)).map((m) => m.Body)).toEqual(['in-flight']);
  });

  it('given a message that ran out of receives, when reopened, then it is in the dead-letter queue once and not in its source', async () => {
    const before = open();
    before.queue.send({ body: 'poison', senderId: 's' });
    await before.queue.receive(all);
    clock.advance(31);
    await before.queue.receive(all);
    clock.advance(31);
    expect(await before.queue.receive(all)).toEqual([]);

    const after = open();

    expect(await after.queue.receive(all)).toEqual([]);
    const letters = await after.dlq.receive({ ...all, maxMessages: 10 });
    expect(letters.map((m) => m.Body)).toEqual(['poison']);
    expect(letters[0]?.Attributes['DeadLetterQueueSourceArn']).toBe('arn:aws:sqs:us-east-1:123456789012:work');
  });

  it('given many messages sent and deleted, when the journal is rewritten along the way, then a reopened queue holds exactly the live ones', async () => {
    const before = open();
    for (let n = 0; n < 3_000; n += 1) {
      before.queue.send({ body: `m-${n}`, senderId: 's' });
      if (n % 3 !== 0) {
        const [received] = await before.queue.receive(all);
        before.queue.delete(received!.ReceiptHandle);
      }
    }

    const after = open();

    expect(Number(after.queue.attributes()['ApproximateNumberOfMessages'])).toBe(1_000);
  });
});
