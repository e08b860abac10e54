/**
 * AWS prices for us-east-1 (US East, N. Virginia), on-demand, as dated facts: each names the
 * pricing page it comes from and what the figure was read from. `free` is the monthly allowance
 * that does not expire after the account's first year (0 where there is none, or where it lasts
 * twelve months only). Change a price in prices.json, with its date and source; docs/cost.md shows
 * them all.
 */
import data from './prices.json' with { type: 'json' };

export interface Price {
  readonly service: string;
  readonly item: string;
  /** USD per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** How many units of usage one `unit` is (e.g. 1e6 for "per million requests"). */
  readonly per: number;
  /** Monthly allowance in usage units that never expires; 0 when none. */
  readonly free: number;
  readonly page: string;
  /** When the figure was read, and from what. */
  readonly asOf: string;
}

/** Where a figure was read: the page's text, or (for pages that render rates client-side) the published rate. */
type Source = 'stored' | 'rendered';

const read = (source: Source, note: string | undefined): string => {
  const how =
    source === 'stored'
      ? "from the page's text in the stored web corpus"
      : 'the page renders this rate client-side, so the figure is the published rate in effect since the date given, not read from the text';
  return `${data.readOn}${source === 'stored' ? ', ' : '; '}${how}${note === undefined ? '' : ` (${note})`}`;
};

type Entry = Omit<Price, 'asOf'> & { readonly read: Source; readonly note?: string };

// The figures are data (bench/cost/prices.json); only their wording is made here.
const entries = data.prices as Record<keyof typeof data.prices, Entry>;

export const PRICES = Object.fromEntries(
  Object.entries(entries).map(([name, { read: source, note, ...price }]) => [name, { ...price, asOf: read(source, note) }]),
) as Record<keyof typeof data.prices, Price>;

export type PriceName = keyof typeof PRICES;
