export * from '../src/functions/provider';
