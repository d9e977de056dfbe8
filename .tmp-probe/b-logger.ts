import { createLogger } from '../src/adapters/logger';
export const l = createLogger('x');
