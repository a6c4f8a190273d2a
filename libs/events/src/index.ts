export * from './decision.event';
export * from './siem';
