import { ServerConnection } from '@jupyterlab/services';

import { normalizeReport } from '../api';
import { APIError, requestAPI } from '../request';

/** Server settings whose fetch answers `status` with `body`, recording calls. */
function serverAnswering(status: number, body: string, baseUrl: string) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = jest.fn(async (input: RequestInfo, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push({ url: request.url, init: init ?? {} });
    return new Response(body.length ? body : null, {
      status,
      statusText: status === 404 ? 'Not Found' : ''
    });
  });
  const settings = ServerConnection.makeSettings({
    baseUrl,
    fetch: fetch as any,
    Request,
    Headers
  });
  return { settings, calls };
}

/** The error a call fails with (the test fails if it succeeds). */
async function failure(call: Promise<unknown>): Promise<APIError> {
  try {
    await call;
  } catch (error) {
    return error as APIError;
  }
  throw new Error('expected the call to fail');
}

describe('requestAPI', () => {
  it('calls the namespace under the base URL (JupyterHub prefix)', async () => {
    // Given a server under /user/alice/
    const { settings, calls } = serverAnswering(
      200,
      '{"api_version": 1}',
      'http://localhost/user/alice/'
    );
    // When
    const body = await requestAPI<{ api_version: number }>(
      'info',
      {},
      settings
    );
    // Then
    expect(body.api_version).toBe(1);
    // (ServerConnection appends a cache-busting query to GETs.)
    expect(calls[0].url.split('?')[0]).toBe(
      'http://localhost/user/alice/jupyter-ext/info'
    );
  });

  it("throws an APIError carrying the server's message", async () => {
    const { settings } = serverAnswering(
      422,
      '{"message": "The feature has no input."}',
      'http://localhost/'
    );
    const error = await failure(
      requestAPI('validate', { method: 'POST', body: '{}' }, settings)
    );
    expect(error).toBeInstanceOf(APIError);
    expect(error.message).toBe('The feature has no input.');
    expect(error.status).toBe(422);
    expect(error.fromServer).toBe(true);
  });

  it('recognizes a missing server extension (HTML 404)', async () => {
    const { settings } = serverAnswering(
      404,
      '<html>404: Not Found</html>',
      'http://localhost/'
    );
    const error = await failure(requestAPI('info', {}, settings));
    expect(error.isMissingRoute).toBe(true);
    expect(error.message).toBe('404 Not Found');
  });

  it('accepts an empty answer (204)', async () => {
    const { settings } = serverAnswering(204, '', 'http://localhost/');
    await expect(
      requestAPI('auth', { method: 'DELETE' }, settings)
    ).resolves.toBeNull();
  });
});

describe('normalizeReport', () => {
  it('fills what the worker left out for a module that is no feature', () => {
    // Given the report of a cell that only defines a helper
    const raw = {
      passed: false,
      feature: { source_hash: 'sha256:c62e' },
      checks: [
        {
          name: 'IsFeatureCheck',
          passed: false,
          message: 'No feature found',
          advice: null
        }
      ],
      acceptance: null,
      timings_ms: { total: 12 }
    };
    // When
    const report = normalizeReport(raw);
    // Then the UI can rely on the contract's shape
    expect(report.feature).toBeNull();
    expect(report.checks).toHaveLength(1);
    expect(report.data).toBeNull();
    expect(report.error).toBeNull();
    expect(report.extraction).toBeNull();
  });

  it('gives lists where they are missing', () => {
    const report = normalizeReport({
      passed: true,
      feature: { name: 'f' },
      acceptance: { accepter: 'A', accepted: true, statistic: 1, threshold: 0 },
      existing_features: { count: 3 }
    });
    expect(report.feature).toMatchObject({ name: 'f', input: [], output: [] });
    expect(report.checks).toEqual([]);
    expect(report.acceptance!.redundant).toEqual([]);
    expect(report.existing_features!.failed).toEqual([]);
  });
});
