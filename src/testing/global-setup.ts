/** `globalSetup: 'lakevault/testing/global-setup'` in a jest config. */
import { globalSetup } from './jest-global';

export = function lakevaultGlobalSetup(): Promise<void> {
  return globalSetup();
};
