/**
 * esbuild plugins for every function bundle (serverless.yml `custom.esbuild.plugins`).
 *
 * @aws-sdk/lib-dynamodb does not declare itself free of side effects, so its paginators (which build
 * Query and Scan commands at import) stayed in every bundle that touches DynamoDB, parsed at each cold
 * start and read by tests/deploy/roles.test.ts as commands the function can send. Its modules only
 * define classes and functions, so it is marked side-effect free and esbuild keeps only what is used.
 */
const SIDE_EFFECT_FREE = /[\\/]node_modules[\\/]@aws-sdk[\\/]lib-dynamodb[\\/]/;

const sideEffectFree = {
  name: 'side-effect-free-sdk-packages',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const inside = args.path === '@aws-sdk/lib-dynamodb' || SIDE_EFFECT_FREE.test(args.importer);
      if (!inside || args.kind === 'entry-point') return undefined;
      const result = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (result.errors.length > 0 || !SIDE_EFFECT_FREE.test(result.path)) return undefined;
      return { path: result.path, sideEffects: false };
    });
  },
};

module.exports = [sideEffectFree];
