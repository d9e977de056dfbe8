/**
 * The credentials every bundled SDK client uses, in place of the SDK's default provider chain
 * (serverless.yml `custom.esbuild.alias`). Lambda hands a function its role's credentials in
 * environment variables, and the local stack gives each function fake ones the same way, so the
 * chain's other sources (profiles, SSO, web identity, instance metadata) are never used; leaving them
 * out of every bundle saves about a quarter of each function's cold initialisation (bench/bundle.ts).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same name and shape as `@aws-sdk/credential-provider-node`'s export, which SDK clients import. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
