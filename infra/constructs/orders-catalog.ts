/**
 * The product catalog the stack declares. The products table carries it as `local:seed`
 * metadata, and the local stack loads it into a newly created table; on AWS the table starts
 * empty and the catalog is loaded by whoever runs the shop (see docs/orders.md).
 */

export interface CatalogProduct {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  /** Price of one unit, in cents. */
  readonly priceCents: number;
  readonly currency: string;
  readonly stock: number;
}

export const PRODUCT_CATALOG: readonly CatalogProduct[] = [
  { sku: 'MUG-01', name: 'Enamel mug', description: 'A 350 ml enamel camping mug.', priceCents: 1250, currency: 'USD', stock: 100 },
  { sku: 'TEE-01', name: 'Logo T-shirt', description: 'Organic cotton, unisex.', priceCents: 2400, currency: 'USD', stock: 100 },
  { sku: 'CAP-01', name: 'Baseball cap', description: 'One size, adjustable strap.', priceCents: 1800, currency: 'USD', stock: 100 },
  { sku: 'BAG-01', name: 'Tote bag', description: 'Heavy canvas tote.', priceCents: 1500, currency: 'USD', stock: 100 },
  { sku: 'PEN-01', name: 'Ballpoint pen', description: 'Refillable brass pen.', priceCents: 900, currency: 'USD', stock: 100 },
  { sku: 'NOTE-01', name: 'Notebook', description: 'A5, dotted, 120 pages.', priceCents: 1100, currency: 'USD', stock: 100 },
  { sku: 'STICKER-01', name: 'Sticker pack', description: 'Six vinyl stickers.', priceCents: 400, currency: 'USD', stock: 100 },
  { sku: 'POSTER-01', name: 'Poster', description: 'A2 print, limited run.', priceCents: 3000, currency: 'USD', stock: 100 },
  { sku: 'LAMP-01', name: 'Desk lamp', description: 'Last few in stock.', priceCents: 4500, currency: 'USD', stock: 3 },
  { sku: 'CLOCK-01', name: 'Wall clock', description: 'Limited edition.', priceCents: 3900, currency: 'USD', stock: 5 },
];
