/** The LDB layout's position row (lib/ldb/layout.ts), as the snapshot code reads it. */
import { SELECT_POSITION_SQL } from '../ldb/layout.ts';
import type { LdbPositionSpec } from './position.ts';

export const LDB_POSITION: LdbPositionSpec = { sql: SELECT_POSITION_SQL };
