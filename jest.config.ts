import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // jose 6 ships only as ES modules. Node 20 loads it through require(esm); Jest's module loader
  // cannot, so Jest compiles it.
  '^.+/node_modules/jose/.+\\.js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
  ],
};

const shared: Config = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};

const config: Config = {
  testSequencer: '<rootDir>/test/support/log-scan-last.sequencer.js',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    // The console's own logic (pure TypeScript, no browser): part of `npm test`.
    {
      ...shared,
      displayName: 'console',
      testMatch: ['<rootDir>/console/src/**/*.spec.ts'],
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/console/tsconfig.spec.json' }],
      },
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // One log file for the run, which test/log-scan.e2e-spec.ts reads last.
      globalSetup: '<rootDir>/test/support/e2e-global-setup.ts',
    },
    // Headless Chromium against Swagger UI: `npm run test:browser`, run by .ci/run.
    {
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/e2e-global-setup.ts',
    },
    // kill -9 under load, then restart: `npm run test:crash`, run by .ci/run.
    { ...shared, displayName: 'crash', testMatch: ['<rootDir>/test/crash/*.crash-spec.ts'] },
  ],
};

export default config;
