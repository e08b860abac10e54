/**
 * The log line of a message published to a topic that no subscription receives (SNS drops it;
 * the local stand-in, topic.ts, logs it), and its parser, for whoever reads the stack's log for
 * the notifications (the e2e pipeline test, the soak):
 *
 *   sns <topic>: no subscribers; <subject> | <message> [name=value, name=value]
 *
 * (`no subscription matched` instead when the topic has subscriptions whose filter policies all
 * refused the message; no `<subject> | ` without a subject; no ` [...]` without attributes).
 *
 * The line reads as the notification for ordinary text. A field that could be taken for the
 * line's own punctuation (a subject or message containing ` | ` or ` [`, an attribute value
 * containing `, `, anything starting with `"` or containing a control character) is written as a
 * JSON string instead, so that every line parses back to exactly what was published. Formatter
 * and parser share the constants below.
 */

export const NO_SUBSCRIBERS = 'no subscribers';
export const NO_SUBSCRIPTION_MATCHED = 'no subscription matched';
export type UnsubscribedReason = typeof NO_SUBSCRIBERS | typeof NO_SUBSCRIPTION_MATCHED;
const REASONS: readonly UnsubscribedReason[] = [NO_SUBSCRIBERS, NO_SUBSCRIPTION_MATCHED];

const PREFIX = 'sns ';
const AFTER_TOPIC = ': ';
const AFTER_REASON = '; ';
/** Between subject and message; the e-mail and SMS lines (topic.ts) use it too. */
export const SUBJECT_SEPARATOR = ' | ';
const ATTRIBUTES_OPEN = ' [';
const ATTRIBUTES_CLOSE = ']';
const ATTRIBUTE_SEPARATOR = ', ';
const NAME_VALUE = '=';
const QUOTE = '"';

export interface UnsubscribedNotification {
  /** The topic's name (SNS topic names have no spaces or colons). */
  readonly topic: string;
  readonly reason: UnsubscribedReason;
  /** Undefined without a subject (an empty subject is not shown either: SNS refuses one). */
  readonly subject: string | undefined;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

// Line breaks (a log line is one line) and other control characters: always quoted.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/**
 * Raw unless the text could end the field early: a raw text field ends at the first ` | ` or ` [`
 * (one ending in ` |` would make one with the separator after it).
 */
const textField = (text: string): string =>
  text.startsWith(QUOTE) ||
  CONTROL.test(text) ||
  text.includes(SUBJECT_SEPARATOR) ||
  text.includes(ATTRIBUTES_OPEN) ||
  text.endsWith(SUBJECT_SEPARATOR.trimEnd())
    ? JSON.stringify(text)
    : text;
/** A raw attribute name ends at the first `=`. */
const nameField = (name: string): string =>
  name.startsWith(QUOTE) || CONTROL.test(name) || name.includes(NAME_VALUE) ? JSON.stringify(name) : name;
/** A raw attribute value ends at the first `, `, or at the `]` that ends the line. */
const valueField = (value: string): string =>
  value.startsWith(QUOTE) || CONTROL.test(value) || value.includes(ATTRIBUTE_SEPARATOR) ? JSON.stringify(value) : value;

export function formatUnsubscribedNotificationLine(notification: UnsubscribedNotification): string {
  const { topic, reason, subject, message, attributes } = notification;
  const text = `${subject ? textField(subject) + SUBJECT_SEPARATOR : ''}${textField(message)}`;
  const entries = Object.entries(attributes).map(([name, value]) => `${nameField(name)}${NAME_VALUE}${valueField(value)}`);
  const described = entries.length === 0 ? '' : `${ATTRIBUTES_OPEN}${entries.join(ATTRIBUTE_SEPARATOR)}${ATTRIBUTES_CLOSE}`;
  return `${PREFIX}${topic}${AFTER_TOPIC}${reason}${AFTER_REASON}${text}${described}`;
}

/** A JSON string literal at the start of `rest`. */
const QUOTED = /^"(?:[^"\\]|\\.)*"/;

/**
 * One field of `line` from `at`: a JSON string, or the raw text up to the first of `ends` (or to
 * the end of the line when `toEnd`). Undefined if the line does not continue as a field.
 */
function readField(line: string, at: number, ends: readonly string[], toEnd: boolean): { value: string; next: number } | undefined {
  if (line.startsWith(QUOTE, at)) {
    const quoted = QUOTED.exec(line.slice(at))?.[0];
    if (quoted === undefined) return undefined;
    try {
      return { value: JSON.parse(quoted) as string, next: at + quoted.length };
    } catch {
      return undefined;
    }
  }
  const found = ends.map((end) => line.indexOf(end, at)).filter((index) => index >= 0);
  const next = found.length > 0 ? Math.min(...found) : toEnd ? line.length : -1;
  return next < 0 ? undefined : { value: line.slice(at, next), next };
}

/**
 * The notification a line of {@link formatUnsubscribedNotificationLine} shows, or null for any
 * other line.
 */
export function parseUnsubscribedNotificationLine(line: string): UnsubscribedNotification | null {
  if (!line.startsWith(PREFIX)) return null;
  const topicEnd = line.indexOf(AFTER_TOPIC, PREFIX.length);
  if (topicEnd < 0) return null;
  const topic = line.slice(PREFIX.length, topicEnd);
  if (!/^\S+$/.test(topic)) return null;
  const reason = REASONS.find((r) => line.startsWith(`${r}${AFTER_REASON}`, topicEnd + AFTER_TOPIC.length));
  if (reason === undefined) return null;
  let at = topicEnd + AFTER_TOPIC.length + reason.length + AFTER_REASON.length;

  const first = readField(line, at, [SUBJECT_SEPARATOR, ATTRIBUTES_OPEN], true);
  if (first === undefined) return null;
  let subject: string | undefined;
  let message = first.value;
  at = first.next;
  if (line.startsWith(SUBJECT_SEPARATOR, at)) {
    const second = readField(line, at + SUBJECT_SEPARATOR.length, [ATTRIBUTES_OPEN], true);
    if (second === undefined) return null;
    subject = first.value;
    message = second.value;
    at = second.next;
  }

  const attributes: [string, string][] = [];
  if (at < line.length) {
    if (!line.startsWith(ATTRIBUTES_OPEN, at) || !line.endsWith(ATTRIBUTES_CLOSE)) return null;
    at += ATTRIBUTES_OPEN.length;
    const close = line.length - ATTRIBUTES_CLOSE.length;
    for (;;) {
      const name = readField(line, at, [NAME_VALUE], false);
      if (name === undefined || !line.startsWith(NAME_VALUE, name.next)) return null;
      // A raw value runs to the next `, ` or to the closing `]`.
      const value = readField(line.slice(0, close), name.next + NAME_VALUE.length, [ATTRIBUTE_SEPARATOR], true);
      if (value === undefined) return null;
      attributes.push([name.value, value.value]);
      at = value.next;
      if (at === close) break;
      if (!line.startsWith(ATTRIBUTE_SEPARATOR, at)) return null;
      at += ATTRIBUTE_SEPARATOR.length;
    }
  }
  return { topic, reason, subject, message, attributes: Object.fromEntries(attributes) };
}
