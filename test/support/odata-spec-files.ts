import { join } from 'node:path';

/**
 * The OASIS reference files (shared/odata-spec), which live beside the checkout (`../shared`) on the
 * developers' machines and in CI. ODATA_SPEC_DIR points elsewhere when needed.
 */
export const ODATA_SPEC_DIR =
  process.env.ODATA_SPEC_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'odata-spec');
