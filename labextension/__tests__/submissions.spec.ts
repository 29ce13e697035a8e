import { SubmissionsModel } from '../submissions';
import { APIError } from '../request';
import { Deferred, fakeClient } from './fakes';
import { ISubmission } from '../api';

function pr(n: number, updated_at: string, state = 'open'): ISubmission {
  return {
    pr_number: n,
    pr_url: `http://forge/demo/ames-house-prices/pull/${n}`,
    title: `Add feature ${n}`,
    state,
    branch: `submit-feature/f${n}`,
    file_path: `src/ames/features/contrib/user_alice/feature_f${n}.py`,
    updated_at
  };
}

describe('SubmissionsModel', () => {
  it('lists the most recently updated first', async () => {
    const client = fakeClient({
      submissions: jest.fn(() =>
        Promise.resolve([
          pr(1, '2026-01-01T00:00:00Z', 'merged'),
          pr(2, '2026-03-01T00:00:00Z')
        ])
      )
    });
    const model = new SubmissionsModel({ client });
    await model.refresh();
    expect(model.state.status).toBe('ready');
    const list = (model.state as any).submissions as ISubmission[];
    expect(list.map(s => s.pr_number)).toEqual([2, 1]);
  });

  it('keeps the old list while refreshing', async () => {
    const next = new Deferred<ISubmission[]>();
    const client = fakeClient({
      submissions: jest
        .fn()
        .mockImplementationOnce(() => Promise.resolve([pr(1, 'a')]))
        .mockImplementationOnce(() => next.promise)
    });
    const model = new SubmissionsModel({ client });
    await model.refresh();
    const pending = model.refresh();
    expect(model.state).toMatchObject({
      status: 'loading',
      previous: [{ pr_number: 1 }]
    });
    next.resolve([]);
    await pending;
    expect(model.state).toEqual({ status: 'ready', submissions: [] });
  });

  it("shows the server's message (e.g. not signed in)", async () => {
    const client = fakeClient({
      submissions: jest.fn(() =>
        Promise.reject(new APIError('Sign in to GitHub first.', 401))
      )
    });
    const model = new SubmissionsModel({ client });
    await model.refresh();
    expect(model.state).toEqual({
      status: 'error',
      message: 'Sign in to GitHub first.',
      httpStatus: 401
    });
  });
});
