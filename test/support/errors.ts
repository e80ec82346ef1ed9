import { CuttleError } from '../../lib/errors.ts';

/** The CuttleError `run` throws; fails the test when it throws nothing or anything else. */
export function thrownCuttleError(run: () => unknown): CuttleError {
  try {
    run();
  } catch (err) {
    if (err instanceof CuttleError) return err;
    throw err;
  }
  throw new Error('expected a CuttleError, nothing was thrown');
}

/** The code of the CuttleError `run` throws. */
export const codeOf = (run: () => unknown): string => thrownCuttleError(run).code;
