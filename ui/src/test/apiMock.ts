// A module-level fake api for `vi.mock` of '../ipc/api' (the mock must be
// declared in each test file; it can hand out this):
//   vi.mock('../../ipc/api', async () => (await import('../../test/apiMock')).apiMock);
import { makeFakeApi } from './fakeApi';

/** The fake the mocked module hands out; a test may replace it. */
export const fake = { current: makeFakeApi() };

export const apiMock = {
  get api() {
    return fake.current.api;
  },
  isApiError: (e: unknown) => !!e && typeof e === 'object' && 'code' in (e as object) && 'message' in (e as object),
};
