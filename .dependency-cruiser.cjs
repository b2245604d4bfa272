/**
 * Layer rules, checked by `npm run check` (depcruise). Specs may reach across layers to set up
 * their fixtures; the code they test may not.
 */
const NOT_SPECS = '\\.spec\\.ts$';
const FRAMEWORKS = '^node_modules/(@nestjs|typeorm|pg|better-sqlite3|fastify|ioredis)/';
const DATABASE_LIBRARIES = '^node_modules/(typeorm|pg|better-sqlite3)/';
/** Where SQL and the database libraries live: the stores and the database wiring. */
const STORES = ['^src/database/', '\\.(repository|store|schema)\\.ts$'];
/** Health indicators (@nestjs/terminus) ask the database too, and nothing else of it. */
const HEALTH_INDICATORS = '^src/health/[^/]+\\.health\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'model-and-odata-are-framework-free',
      comment:
        'src/edm (the model) and src/odata (parse, check, translate, shape) import no NestJS, ' +
        'Fastify, TypeORM, Redis or database driver, so each stage is testable without HTTP or a ' +
        'database.',
      severity: 'error',
      from: { path: '^src/(edm|odata)/', pathNot: NOT_SPECS },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'model-and-odata-below-the-features',
      comment:
        'src/edm and src/odata know nothing of the feature modules, HTTP wiring or storage above ' +
        'them (the domain errors of src/common/errors.ts are shared by every layer).',
      severity: 'error',
      from: { path: '^src/(edm|odata)/', pathNot: NOT_SPECS },
      to: { path: '^src/', pathNot: ['^src/(edm|odata)/', '^src/common/errors\\.ts$'] },
    },
    {
      name: 'controllers-reach-no-store',
      comment:
        'A controller calls services; it imports no store, no database wiring and no TypeORM.',
      severity: 'error',
      from: { path: '\\.controller\\.ts$' },
      to: { path: [DATABASE_LIBRARIES, ...STORES] },
    },
    {
      name: 'only-stores-use-the-database',
      comment:
        'TypeORM and the drivers are imported by the stores (*.repository.ts, *.store.ts, ' +
        '*.schema.ts), the database wiring (src/database) and health indicators only.',
      severity: 'error',
      from: { path: '^src/', pathNot: [...STORES, HEALTH_INDICATORS, NOT_SPECS] },
      to: { path: DATABASE_LIBRARIES },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
