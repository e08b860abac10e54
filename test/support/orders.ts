/** An `onOrderEvent` payload as the tests read it (the selection in client/operations). */
export interface OrderEvent {
  orderId: string;
  owner: string;
  status: string;
  step: string;
  message: string | null;
  at: string;
}
