import { loadConfig } from '../src/config';
export const c = loadConfig();
