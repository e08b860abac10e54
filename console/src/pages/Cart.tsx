import { useRef, useState } from 'react';
import { money } from './Orders.tsx';
import { ActionButton } from './ActionButton.tsx';

export interface CartLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly priceCents: number;
  readonly currency: string;
}

/** The payment simulator's test tokens (docs/orders.md). */
const PAYMENT_TOKENS = [
  { token: 'tok_approve', label: 'Test card: approved' },
  { token: 'tok_decline', label: 'Test card: declined' },
  { token: 'tok_slow', label: 'Test card: slow (time to cancel)' },
  { token: 'tok_refund_always_fail', label: 'Test card: refunds fail' },
];

interface Props {
  readonly lines: readonly CartLine[];
  /** The order events' subscription is acknowledged: an order placed now is followed from its first step. */
  readonly live: boolean;
  readonly onChange: (lines: CartLine[]) => void;
  readonly onPlace: (lines: readonly CartLine[], paymentToken: string, clientToken: string) => Promise<void>;
}

export function Cart({ lines, live, onChange, onPlace }: Props) {
  const [paymentToken, setPaymentToken] = useState('tok_approve');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // One token per order being placed: a double click or a retry after an error sends the same
  // one, so the API makes one order; it is renewed once that order exists.
  const clientToken = useRef<string | undefined>(undefined);

  const submit = async () => {
    if (busy || !live || lines.length === 0) return;
    clientToken.current ??= crypto.randomUUID();
    setBusy(true);
    setError(undefined);
    try {
      await onPlace(lines, paymentToken, clientToken.current);
      clientToken.current = undefined;
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const total = lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
  return (
    <section aria-labelledby="cart-heading">
      <h2 id="cart-heading">Cart</h2>
      {lines.length === 0 ? (
        <p>The cart is empty.</p>
      ) : (
        <form
          className="cart"
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <ul>
            {lines.map((line) => (
              <li key={line.sku}>
                <label htmlFor={`qty-${line.sku}`}>{line.name}</label>{' '}
                <input
                  id={`qty-${line.sku}`}
                  type="number"
                  min={1}
                  max={100}
                  value={line.quantity}
                  onChange={(event) => {
                    clientToken.current = undefined;
                    const quantity = Math.max(1, Math.min(100, Number(event.target.value) || 1));
                    onChange(lines.map((l) => (l.sku === line.sku ? { ...l, quantity } : l)));
                  }}
                />{' '}
                {money(line.priceCents * line.quantity, line.currency)}{' '}
                <ActionButton
                  verb="Remove"
                  subject={line.name}
                  onClick={() => {
                    clientToken.current = undefined;
                    onChange(lines.filter((l) => l.sku !== line.sku));
                  }}
                />
              </li>
            ))}
          </ul>
          <p>
            Total: <strong>{money(total, lines[0]?.currency ?? 'USD')}</strong>
          </p>
          <p>
            <label htmlFor="payment-token">Payment</label>{' '}
            <select id="payment-token" value={paymentToken} onChange={(event) => setPaymentToken(event.target.value)}>
              {PAYMENT_TOKENS.map((p) => (
                <option key={p.token} value={p.token}>
                  {p.label}
                </option>
              ))}
            </select>
          </p>
          <button type="submit" disabled={busy || !live}>
            {busy ? 'Placing…' : live ? 'Place order' : 'Connecting…'}
          </button>
          {error && <p role="alert" className="error">{error}</p>}
        </form>
      )}
    </section>
  );
}
