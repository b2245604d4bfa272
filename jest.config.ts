import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // @fastify/static 10 depends on content-disposition 3, which ships only as an ES module. Node 20
  // loads it through require(esm); Jest's module loader cannot, so Jest compiles it to CommonJS.
  '^.+/node_modules/content-disposition/.+\\.js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
  ],
};

const shared: Config = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};

const config: Config = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    // Headless Chromium against Swagger UI: `npm run test:browser`, run by .ci/run.
    { ...shared, displayName: 'browser', testMatch: ['<rootDir>/test/browser/*.browser-spec.ts'] },
  ],
};

export default config;
