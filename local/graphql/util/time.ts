/**
 * `util.time` / `$util.time`: timestamps formatted and parsed with Java DateTimeFormatter
 * patterns (`yyyy-MM-dd HH:mm:ssZ`), in UTC or a zone given as an offset (`+08:00`) or an IANA
 * name (`Australia/Perth`), as AppSync's resolver reference describes them.
 */
export class TimeFormatError extends Error {
  override readonly name = 'TimeFormatError';
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token = { readonly literal: string } | { readonly letter: string; readonly count: number };

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i] ?? '';
    if (char === "'") {
      const end = pattern.indexOf("'", i + 1);
      const text = pattern.slice(i + 1, end < 0 ? pattern.length : end);
      tokens.push({ literal: text === '' ? "'" : text });
      i = end < 0 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(char)) {
      let count = 1;
      while (pattern[i + count] === char) count += 1;
      tokens.push({ letter: char, count });
      i += count;
    } else {
      tokens.push({ literal: char });
      i += 1;
    }
  }
  return tokens;
}

/** Minutes east of UTC of `zone` at `epochMs`. */
export function zoneOffsetMinutes(zone: string | undefined, epochMs: number): number {
  if (zone === undefined || zone === 'UTC' || zone === 'Z' || zone === 'GMT') return 0;
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(epochMs));
  } catch {
    throw new TimeFormatError(`Unknown time zone ${zone}`);
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

const pad = (value: number, width: number) => String(Math.abs(value)).padStart(width, '0');

function offsetText(minutes: number, colon: boolean, zForZero: boolean): string {
  if (minutes === 0 && zForZero) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60), 2)}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60, 2)}`;
}

export function formatEpochMillis(epochMs: number, pattern: string, zone?: string): string {
  const offset = zoneOffsetMinutes(zone, epochMs);
  const d = new Date(epochMs + offset * 60_000);
  const hour = d.getUTCHours();
  return tokenize(pattern)
    .map((token) => {
      if ('literal' in token) return token.literal;
      const { letter, count } = token;
      switch (letter) {
        case 'y':
        case 'u':
          return count === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), count);
        case 'M':
          return count >= 4 ? MONTHS[d.getUTCMonth()] : count === 3 ? MONTHS[d.getUTCMonth()]?.slice(0, 3) : pad(d.getUTCMonth() + 1, count);
        case 'd':
          return pad(d.getUTCDate(), count);
        case 'D': {
          const start = Date.UTC(d.getUTCFullYear(), 0, 1);
          return pad(Math.floor((d.getTime() - start) / 86_400_000) + 1, count);
        }
        case 'E':
          return count >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()]?.slice(0, 3);
        case 'H':
          return pad(hour, count);
        case 'h':
          return pad(hour % 12 === 0 ? 12 : hour % 12, count);
        case 'a':
          return hour < 12 ? 'AM' : 'PM';
        case 'm':
          return pad(d.getUTCMinutes(), count);
        case 's':
          return pad(d.getUTCSeconds(), count);
        case 'S':
          return pad(d.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count);
        case 'Z':
          return count === 5 ? offsetText(offset, true, true) : offsetText(offset, false, false);
        case 'X':
          return offsetText(offset, count >= 3, true);
        case 'x':
          return offsetText(offset, count >= 3, false);
        case 'z':
        case 'V':
          return zone ?? 'UTC';
        default:
          throw new TimeFormatError(`Unsupported pattern letter ${letter} in ${pattern}`);
      }
    })
    .join('');
}

/** Parses `text` written in `pattern`; a zone in the text wins over `zone`, which defaults to UTC. */
export function parseFormatted(text: string, pattern: string, zone?: string): number {
  const fields: Record<string, number> = {};
  let parsedOffset: number | undefined;
  let rest = text;
  for (const token of tokenize(pattern)) {
    if ('literal' in token) {
      if (!rest.startsWith(token.literal)) throw new TimeFormatError(`Text '${text}' could not be parsed with ${pattern}`);
      rest = rest.slice(token.literal.length);
      continue;
    }
    const { letter, count } = token;
    if ('ZXx'.includes(letter)) {
      const match = /^(Z|[+-]\d{2}:?\d{2})/.exec(rest);
      if (!match?.[1]) throw new TimeFormatError(`Text '${text}' has no offset where ${pattern} expects one`);
      parsedOffset = match[1] === 'Z' ? 0 : zoneOffsetMinutes(match[1], 0);
      rest = rest.slice(match[1].length);
      continue;
    }
    if (letter === 'a') {
      fields['pm'] = rest.slice(0, 2).toUpperCase() === 'PM' ? 1 : 0;
      rest = rest.slice(2);
      continue;
    }
    if (letter === 'M' && count >= 3) {
      const index = MONTHS.findIndex((m) => rest.toLowerCase().startsWith((count === 3 ? m.slice(0, 3) : m).toLowerCase()));
      if (index < 0) throw new TimeFormatError(`Text '${text}' has no month name where ${pattern} expects one`);
      fields['M'] = index + 1;
      rest = rest.slice(count === 3 ? 3 : (MONTHS[index] ?? '').length);
      continue;
    }
    if (letter === 'E') {
      rest = rest.replace(/^[A-Za-z]+/, '');
      continue;
    }
    const match = (count === 1 ? /^\d+/ : new RegExp(`^\\d{${count}}`)).exec(rest);
    if (!match) throw new TimeFormatError(`Text '${text}' could not be parsed with ${pattern}`);
    fields[letter] = letter === 'S' ? Number(match[0].padEnd(3, '0').slice(0, 3)) : Number(match[0]);
    rest = rest.slice(match[0].length);
  }
  if (rest !== '') throw new TimeFormatError(`Text '${text}' has unparsed text at '${rest}'`);
  let hour = fields['H'] ?? fields['h'] ?? 0;
  if (fields['h'] !== undefined) hour = (hour % 12) + (fields['pm'] ? 12 : 0);
  const year = fields['y'] ?? fields['u'] ?? 1970;
  const local = Date.UTC(year < 100 && String(year).length <= 2 ? 2000 + year : year, (fields['M'] ?? 1) - 1, fields['d'] ?? 1, hour, fields['m'] ?? 0, fields['s'] ?? 0, fields['S'] ?? 0);
  if (parsedOffset !== undefined) return local - parsedOffset * 60_000;
  // The zone's offset at that local time: one correction step covers a DST boundary.
  const guess = local - zoneOffsetMinutes(zone, local) * 60_000;
  return local - zoneOffsetMinutes(zone, guess) * 60_000;
}

export function timeHelpers(now: () => number = Date.now) {
  return {
    nowISO8601: () => new Date(now()).toISOString(),
    nowEpochSeconds: () => Math.floor(now() / 1000),
    nowEpochMilliSeconds: () => now(),
    nowFormatted: (pattern: string, zone?: string) => formatEpochMillis(now(), pattern, zone),
    parseFormattedToEpochMilliSeconds: (text: string, pattern: string, zone?: string) => parseFormatted(text, pattern, zone),
    parseISO8601ToEpochMilliSeconds: (text: string) => {
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new TimeFormatError(`Text '${text}' is not an ISO8601 timestamp`);
      return ms;
    },
    epochMilliSecondsToSeconds: (ms: number) => Math.floor(ms / 1000),
    epochMilliSecondsToISO8601: (ms: number) => new Date(ms).toISOString(),
    epochMilliSecondsToFormatted: (ms: number, pattern: string, zone?: string) => formatEpochMillis(ms, pattern, zone),
  };
}
