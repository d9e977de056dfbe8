export * from './c-ddb';
export * from './d-sns';
export * from './e-ssm';
