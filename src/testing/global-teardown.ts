/** `globalTeardown: 'lakevault/testing/global-teardown'` in a jest config. */
import { globalTeardown } from './jest-global';

export = function lakevaultGlobalTeardown(): Promise<void> {
  return globalTeardown();
};
