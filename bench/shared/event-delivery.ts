// Whether an authn process under load delivered every decision event to Kafka. A run whose authn
// dropped events, or stopped getting them acknowledged, measured another program: a publisher
// that spools and drops does less work per request (session 13: batches above the broker's
// message.max.bytes wedged it, and the benches read that as noise). Such figures are refused.
import { metricValue } from '../embedded/product';
import { send } from '../peers/servers';

export interface EventDelivery {
  readonly published: number;
  readonly acknowledged: number;
  /** In memory, in flight or in the spool. */
  readonly pending: number;
  readonly dropped: number;
}

/** The figures of authn's /metrics once nothing is pending, or after `settleMs`. */
export async function eventDelivery(metricsUrl: string, settleMs = 10_000): Promise<EventDelivery> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const metrics = (await send(metricsUrl)).body;
    const figure = (name: string) => metricValue(metrics, name) ?? 0;
    const delivery = {
      published: figure('authtrail_events_published_total'),
      acknowledged: figure('authtrail_events_acknowledged_total'),
      pending: figure('authtrail_events_buffered') + figure('authtrail_events_spooled'),
      dropped: figure('authtrail_events_dropped_total'),
    };
    if (delivery.pending === 0 || Date.now() >= deadline) return delivery;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function describeDelivery(name: string, delivery: EventDelivery): string {
  return `${name}: events published ${delivery.published}, acknowledged by Kafka ${delivery.acknowledged}, pending ${delivery.pending}, dropped ${delivery.dropped}`;
}

/** Why these figures cannot stand, or undefined when every event was acknowledged. */
export function deliveryProblem(name: string, delivery: EventDelivery): string | undefined {
  if (delivery.dropped > 0) return `${name} dropped ${delivery.dropped} decision events`;
  if (delivery.acknowledged < delivery.published) return `${name}: Kafka acknowledged ${delivery.acknowledged} of ${delivery.published} decision events`;
  return undefined;
}
