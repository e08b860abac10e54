import { beforeEach, describe, expect, it } from 'vitest';
import { AnnouncementInProgressError, Notifier } from '../../../resolvers/files/domain/notifier.js';
import type { FileStatusMessage, UserNotification } from '../../../resolvers/files/domain/ports.js';
import { OWNER, pendingRecord } from '../resolvers/helpers/factories.js';
import { FixedClock, MemoryLog, RecordingNotifications, RecordingPublisher } from '../resolvers/helpers/fakes.js';
import { AnnouncingFileRepository } from './fakes.js';

const ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const SEQ = '0055AED6DCD90281E5';
const CLAIM_MS = 30_000;

class FlakyNotifications extends RecordingNotifications {
  readonly failures: Error[] = [];
  override async send(notification: UserNotification): Promise<void> {
    const error = this.failures.shift();
    if (error !== undefined) throw error;
    await super.send(notification);
  }
}

const transient = (message: string) => Object.assign(new Error(message), { name: 'ServiceUnavailable' });

describe('the notifier: each announcement once, never lost', () => {
  let repository: AnnouncingFileRepository;
  let events: RecordingPublisher;
  let notifications: FlakyNotifications;
  let log: MemoryLog;
  let clock: FixedClock;
  let notifier: Notifier;
  const message: FileStatusMessage = { fileId: ID, owner: OWNER, status: 'READY', sequencer: SEQ, correlationId: null, error: null };
  const notify = () => notifier.notify(message, { log, claimMs: CLAIM_MS });

  beforeEach(async () => {
    repository = new AnnouncingFileRepository();
    events = new RecordingPublisher();
    notifications = new FlakyNotifications();
    log = new MemoryLog();
    clock = new FixedClock();
    notifier = new Notifier({ repository, events, notifications, clock });
    await repository.create(pendingRecord({ id: ID, status: 'READY', sequencer: SEQ }));
  });

  it('given the same status message twice, when both are handled, then one event and one notification, and the second is a duplicate', async () => {
    expect(await notify()).toEqual({ outcome: 'NOTIFIED', fileId: ID, status: 'READY' });
    expect(await notify()).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_NOTIFIED' });

    expect(events.events).toEqual([{ fileId: ID, owner: OWNER, status: 'READY', step: 'NOTIFY', message: null }]);
    expect(notifications.sent).toHaveLength(1);
    expect((await repository.get(ID))?.notified).toBe(`READY#${SEQ}`);
  });

  it('given two deliveries at once, when the second comes while the first holds the claim, then it throws to be retried and changes nothing; its retry is a duplicate', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowEvents = new (class extends RecordingPublisher {
      override async publish(event: Parameters<RecordingPublisher['publish']>[0]): Promise<void> {
        await held;
        await super.publish(event);
      }
    })();
    notifier = new Notifier({ repository, events: slowEvents, notifications, clock });

    const first = notify();
    await expect(notify()).rejects.toBeInstanceOf(AnnouncementInProgressError);
    release();
    expect(await first).toMatchObject({ outcome: 'NOTIFIED' });
    expect(await notify()).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_NOTIFIED' });

    expect(slowEvents.events).toHaveLength(1);
    expect(notifications.sent).toHaveLength(1);
  });

  it('given the FileEvent publish failing, when retried, then the retry announces (the claim was released) and the user gets one event and one notification', async () => {
    events.failWith = transient('AppSync unavailable');
    await expect(notify()).rejects.toThrow('AppSync unavailable');
    expect(notifications.sent).toEqual([]);
    expect(repository.claims.size).toBe(0);

    events.failWith = null;
    expect(await notify()).toMatchObject({ outcome: 'NOTIFIED' });

    expect(events.events).toHaveLength(1);
    expect(notifications.sent).toHaveLength(1);
  });

  it('given the notification failing after the event was published, when retried, then the notification is sent and the event is not published again', async () => {
    notifications.failures.push(transient('SNS unavailable'));
    await expect(notify()).rejects.toThrow('SNS unavailable');
    expect(events.events).toHaveLength(1);

    expect(await notify()).toMatchObject({ outcome: 'NOTIFIED' });

    expect(events.events).toHaveLength(1);
    expect(notifications.sent).toHaveLength(1);
  });

  it('given markNotified failing after the effects, then the delivery succeeds (a retry would repeat them) and a redelivery while the claim holds repeats nothing', async () => {
    repository.failures.markNotified = [transient('DynamoDB unavailable')];

    expect(await notify()).toMatchObject({ outcome: 'NOTIFIED' });
    expect(log.entries.some((e) => e.level === 'error' && e.message.includes('record the announcement'))).toBe(true);
    await expect(notify()).rejects.toBeInstanceOf(AnnouncementInProgressError);

    expect(events.events).toHaveLength(1);
    expect(notifications.sent).toHaveLength(1);
    // The documented at-least-once window: once the claim lapsed, a redelivery announces again.
    clock.advance(CLAIM_MS + 1);
    expect(await notify()).toMatchObject({ outcome: 'NOTIFIED' });
    expect(notifications.sent).toHaveLength(2);
  });

  it('given a delivery that claimed and then died (its release failed too), when redelivered, then it waits for the claim to lapse and then announces: nothing is lost', async () => {
    events.failWith = transient('AppSync unavailable');
    repository.failures.releaseAnnouncement = [transient('DynamoDB unavailable')];
    await expect(notify()).rejects.toThrow('AppSync unavailable');
    events.failWith = null;

    clock.advance(CLAIM_MS - 1);
    await expect(notify()).rejects.toBeInstanceOf(AnnouncementInProgressError);
    clock.advance(2);
    expect(await notify()).toMatchObject({ outcome: 'NOTIFIED' });

    expect(events.events).toHaveLength(1);
    expect(notifications.sent).toHaveLength(1);
  });

  it('given a status message the record no longer says (a reprocess began), then nothing is announced', async () => {
    expect(await notifier.notify({ ...message, sequencer: '0055AED6DCD90281E6' }, { log })).toEqual({ outcome: 'SKIPPED', reason: 'STALE' });
    expect(events.events).toEqual([]);
    expect(repository.claims.size).toBe(0);
  });
});
