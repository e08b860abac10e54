/**
 * A queue's messages on disk, so they outlive the process: visible, delayed and in flight, with
 * their receive counts and visibility times (absolute), as SQS keeps them. Every change is one
 * JSON line appended with a synchronous write before the call that made it returns: a process
 * killed with SIGKILL loses nothing the operating system was handed (no fsync: a power cut is not
 * what this guards against). On start the journal is replayed; an in-flight message then becomes
 * visible when its visibility timeout ends, as on AWS. The journal is rewritten (to a new file,
 * renamed over the old) when it holds many more lines than live messages.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AttributeValue } from './md5.js';

/** A message as the queue keeps it (local/messaging/queue.ts). */
export interface JournaledMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly md5OfBody: string;
  readonly md5OfAttributes: string | undefined;
  readonly sentAt: number;
  readonly senderId: string;
  readonly deadLetterSourceArn: string | undefined;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  visibleAt: number;
  receiptHandle: string | undefined;
}

export type JournalEntry =
  | { readonly op: 'put'; readonly message: JournaledMessage }
  | { readonly op: 'receive'; readonly id: string; readonly receiveCount: number; readonly firstReceiveAt: number; readonly visibleAt: number; readonly receiptHandle: string }
  | { readonly op: 'visibility'; readonly id: string; readonly visibleAt: number }
  | { readonly op: 'delete'; readonly id: string }
  | { readonly op: 'purge' };

/** Rewrite once the journal has this many lines more than twice the live messages. */
const COMPACT_SLACK = 2_000;

export class QueueJournal {
  #lines = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** The messages the journal holds, in the order they were stored. A torn last line (a kill mid-write) is skipped. */
  load(): JournaledMessage[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // A line cut short must not swallow the next one appended after it.
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(this.path, '\n');
    const messages = new Map<string, JournaledMessage>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue;
      }
      this.#lines += 1;
      apply(messages, entry);
    }
    return [...messages.values()];
  }

  append(entry: JournalEntry, live: () => readonly JournaledMessage[]): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    this.#lines += 1;
    if (this.#lines > COMPACT_SLACK) {
      const messages = live();
      if (this.#lines > messages.length * 2 + COMPACT_SLACK) this.#compact(messages);
    }
  }

  #compact(messages: readonly JournaledMessage[]): void {
    const next = `${this.path}.next`;
    writeFileSync(next, messages.map((message) => `${JSON.stringify({ op: 'put', message } satisfies JournalEntry)}\n`).join(''));
    renameSync(next, this.path);
    this.#lines = messages.length;
  }
}

function apply(messages: Map<string, JournaledMessage>, entry: JournalEntry): void {
  switch (entry.op) {
    case 'put':
      messages.set(entry.message.id, { ...entry.message });
      return;
    case 'receive': {
      const message = messages.get(entry.id);
      if (message === undefined) return;
      message.receiveCount = entry.receiveCount;
      message.firstReceiveAt = entry.firstReceiveAt;
      message.visibleAt = entry.visibleAt;
      message.receiptHandle = entry.receiptHandle;
      return;
    }
    case 'visibility': {
      const message = messages.get(entry.id);
      if (message !== undefined) message.visibleAt = entry.visibleAt;
      return;
    }
    case 'delete':
      messages.delete(entry.id);
      return;
    case 'purge':
      messages.clear();
      return;
  }
}
