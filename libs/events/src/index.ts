export * from './decision.event';
