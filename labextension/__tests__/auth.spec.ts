import { IAuthStatus, IDevicePoll } from '../api';
import { AuthModel } from '../auth';
import { APIError } from '../request';
import { fakeClient, flush } from './fakes';

const SIGNED_OUT: IAuthStatus = {
  signed_in: false,
  login: null,
  method: 'none',
  device_flow_available: true
};
const SIGNED_IN: IAuthStatus = {
  signed_in: true,
  login: 'alice',
  method: 'device',
  device_flow_available: true
};
const CODE = {
  user_code: 'ABCD-1234',
  verification_uri: 'http://127.0.0.1:9999/login/device',
  expires_in: 900,
  interval: 5
};

/** A server whose device-flow polls answer `answers` in turn. */
function deviceServer(answers: IDevicePoll['state'][]) {
  let signedIn = false;
  const polls = [...answers];
  return fakeClient({
    authStatus: jest.fn(() =>
      Promise.resolve(signedIn ? SIGNED_IN : SIGNED_OUT)
    ),
    authDeviceStart: jest.fn(() => Promise.resolve(CODE)),
    authDevicePoll: jest.fn(() => {
      const state = polls.shift() ?? 'pending';
      if (state === 'success') {
        signedIn = true;
      }
      return Promise.resolve({
        state,
        login: state === 'success' ? 'alice' : null
      });
    })
  });
}

describe('AuthModel', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reads who is signed in', async () => {
    const auth = new AuthModel({ client: deviceServer([]) });
    await auth.refresh();
    expect(auth.status).toEqual(SIGNED_OUT);
  });

  it('keeps the reason when the status cannot be read', async () => {
    const client = fakeClient({
      authStatus: jest.fn(() => Promise.reject(new APIError('boom', 500)))
    });
    const auth = new AuthModel({ client });
    await auth.refresh();
    expect(auth.status).toBeNull();
    expect(auth.statusError).toBe('boom');
  });

  it('shows the code, polls at the interval, and signs in', async () => {
    // Given a user who approves on the second poll
    const client = deviceServer(['pending', 'success']);
    const auth = new AuthModel({ client, now: () => Date.now() });
    // When
    await auth.startDeviceFlow();
    // Then the code is shown at once, before any poll
    expect(auth.device).toMatchObject({ state: 'waiting', code: CODE });
    expect(client.authDevicePoll).not.toHaveBeenCalled();
    // Polls happen every `interval` seconds
    await jest.advanceTimersByTimeAsync(4999);
    expect(client.authDevicePoll).toHaveBeenCalledTimes(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(client.authDevicePoll).toHaveBeenCalledTimes(1);
    expect(auth.device.state).toBe('waiting');
    await jest.advanceTimersByTimeAsync(5000);
    await flush();
    // Then signed in, and the status says so
    expect(auth.device).toEqual({ state: 'success', login: 'alice' });
    expect(auth.status).toEqual(SIGNED_IN);
  });

  it('slows down by 5 s when told to', async () => {
    const client = deviceServer(['slow_down', 'success']);
    const auth = new AuthModel({ client });
    await auth.startDeviceFlow();
    await jest.advanceTimersByTimeAsync(5000);
    expect(client.authDevicePoll).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(9999);
    expect(client.authDevicePoll).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(client.authDevicePoll).toHaveBeenCalledTimes(2);
  });

  it.each([['expired'], ['denied']] as const)(
    'stops when the server says %s',
    async state => {
      const client = deviceServer([state]);
      const auth = new AuthModel({ client });
      await auth.startDeviceFlow();
      await jest.advanceTimersByTimeAsync(5000);
      expect(auth.device).toEqual({ state });
      await jest.advanceTimersByTimeAsync(60000);
      expect(client.authDevicePoll).toHaveBeenCalledTimes(1);
    }
  );

  it('expires by itself when the code runs out', async () => {
    let clock = 0;
    const client = deviceServer([]);
    const auth = new AuthModel({ client, now: () => clock });
    await auth.startDeviceFlow();
    clock = 900 * 1000;
    await jest.advanceTimersByTimeAsync(5000);
    expect(auth.device).toEqual({ state: 'expired' });
    expect(client.authDevicePoll).not.toHaveBeenCalled();
  });

  it('stops polling when the dialog is closed', async () => {
    const client = deviceServer([]);
    const auth = new AuthModel({ client });
    await auth.startDeviceFlow();
    auth.cancelDeviceFlow();
    await jest.advanceTimersByTimeAsync(60000);
    expect(client.authDevicePoll).not.toHaveBeenCalled();
    expect(auth.device).toEqual({ state: 'idle' });
  });

  it("shows the server's message when the flow cannot start", async () => {
    const client = fakeClient({
      authDeviceStart: jest.fn(() =>
        Promise.reject(
          new APIError('No GitHub OAuth client id is configured.', 400)
        )
      )
    });
    const auth = new AuthModel({ client });
    await auth.startDeviceFlow();
    expect(auth.device).toEqual({
      state: 'error',
      message: 'No GitHub OAuth client id is configured.'
    });
  });

  it('signs out and re-reads the status', async () => {
    const client = fakeClient({
      authSignOut: jest.fn(() => Promise.resolve()),
      authStatus: jest.fn(() => Promise.resolve(SIGNED_OUT))
    });
    const auth = new AuthModel({ client });
    await auth.signOut();
    expect(client.authSignOut).toHaveBeenCalled();
    expect(auth.status).toEqual(SIGNED_OUT);
  });
});
