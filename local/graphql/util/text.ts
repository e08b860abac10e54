/** `util.str`, `util.math`, `util.list`, `util.map`, `util.http`, `util.xml` (shared by both runtimes). */
import { randomInt } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

export const strHelpers = {
  toUpper: (value: string) => value.toUpperCase(),
  toLower: (value: string) => value.toLowerCase(),
  toReplace: (value: string, target: string, replacement: string) => value.split(target).join(replacement),
  normalize: (value: string, form: string) => value.normalize(form.toUpperCase() as 'NFC' | 'NFD' | 'NFKC' | 'NFKD'),
};

export const mathHelpers = {
  roundNum: (value: number) => Math.round(value),
  minVal: (a: number, b: number) => Math.min(a, b),
  maxVal: (a: number, b: number) => Math.max(a, b),
  randomDouble: () => Math.random(),
  randomWithinRange: (low: number, high: number) => randomInt(Math.trunc(low), Math.trunc(high) + 1),
};

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const listHelpers = {
  copyAndRetainAll: (list: readonly unknown[], keep: readonly unknown[]) => list.filter((item) => keep.some((k) => same(k, item))),
  copyAndRemoveAll: (list: readonly unknown[], drop: readonly unknown[]) => list.filter((item) => !drop.some((k) => same(k, item))),
  sortList: (list: readonly unknown[], descending: boolean, property: string) => {
    const key = (item: unknown) => (property && isMap(item) ? item[property] : item);
    const sorted = [...list].sort((a, b) => {
      const x = key(a) as string | number;
      const y = key(b) as string | number;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return descending ? sorted.reverse() : sorted;
  },
};

export const mapHelpers = {
  copyAndRetainAllKeys: (map: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(Object.entries(map).filter(([k]) => keys.includes(k))),
  copyAndRemoveAllKeys: (map: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(Object.entries(map).filter(([k]) => !keys.includes(k))),
};

/** Headers `util.http.copyHeaders` leaves out (AppSync's restricted list). */
const RESTRICTED_HEADERS = new Set([
  'transfer-encoding', 'connection', 'host', 'expect', 'keep-alive', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'te', 'content-length',
]);

export const copyHeaders = (headers: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !RESTRICTED_HEADERS.has(name.toLowerCase())));

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: true, ignoreDeclaration: true, textNodeName: 'content' });

/** `util.xml.toMap`: an XML document as a map (repeated elements become lists, numbers numbers). */
export const xmlToMap = (xml: string): Record<string, unknown> => xmlParser.parse(xml) as Record<string, unknown>;
export const xmlHelpers = {
  toMap: xmlToMap,
  toJsonString: (xml: string) => JSON.stringify(xmlToMap(xml)),
};
