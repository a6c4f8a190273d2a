export * from './kafka';
export * from './postgres';
export * from './secrets';
