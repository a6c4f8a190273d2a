import { Counter, Gauge, Registry } from 'prom-client';
import { mergeRegistries } from './process-metrics';

describe('mergeRegistries', () => {
  it('both registries then expose the metrics of both, with one value each', async () => {
    const services = new Registry();
    const authn = new Registry();
    const projected = new Counter({ name: 'x_projected_total', help: 'p', registers: [services] });
    new Gauge({ name: 'x_ready', help: 'r', registers: [authn] }).set(1);
    mergeRegistries(authn, services);
    projected.inc(5);
    for (const registry of [authn, services]) {
      const text = await registry.metrics();
      expect(text).toMatch(/^x_projected_total 5$/m);
      expect(text).toMatch(/^x_ready 1$/m);
    }
  });

  it('a name both registries hold is an error naming it', () => {
    const a = new Registry();
    const b = new Registry();
    new Counter({ name: 'x_twice_total', help: 'a', registers: [a] });
    new Counter({ name: 'x_twice_total', help: 'b', registers: [b] });
    expect(() => mergeRegistries(a, b)).toThrow(/x_twice_total/);
  });
});
