import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The URL namespace of the server extension, under the server's base URL.
 */
export const NAMESPACE = 'jupyter-ext';

/**
 * A failed call to the server extension.
 *
 * `message` is the server's own `{"message": ...}` when it sent one (the docs
 * promise a sentence a person can act on), so the UI can show it verbatim.
 * `status` is the HTTP status, or 0 when the server could not be reached.
 */
export class APIError extends Error {
  /**
   * @param message What went wrong, in the server's words when possible.
   * @param status The HTTP status; 0 for a network failure.
   * @param fromServer Whether the server extension wrote the message (a JSON
   *   `{"message": ...}` body) rather than Jupyter, a proxy or the network.
   */
  constructor(
    message: string,
    readonly status: number,
    readonly fromServer = true
  ) {
    super(message);
    this.name = 'APIError';
  }

  /**
   * True when the route does not exist: the server extension is not
   * installed or not enabled on this server.
   */
  get isMissingRoute(): boolean {
    return this.status === 404 && !this.fromServer;
  }
}

/**
 * Call one endpoint of the server extension and parse its JSON answer.
 *
 * The URL is built from the server settings' `baseUrl`, so it works under a
 * JupyterHub/Binder prefix such as `/user/alice/`; XSRF and token headers
 * come from `ServerConnection.makeRequest`.
 *
 * @throws APIError carrying the server's message on any non-2xx status or
 *   network failure.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, NAMESPACE, endPoint);
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { ...init, headers },
      settings
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new APIError(reason, 0, false);
  }

  const text = await response.text();
  let data: any = null;
  let parsed = false;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
      parsed = true;
    } catch {
      // Not JSON: an HTML error page from the server or a proxy.
    }
  }

  if (!response.ok) {
    const serverMessage =
      parsed && data && typeof data.message === 'string' ? data.message : '';
    throw new APIError(
      serverMessage || `${response.status} ${response.statusText}`.trim(),
      response.status,
      serverMessage !== ''
    );
  }
  if (text.length === 0) {
    // 204 No Content, e.g. `DELETE auth`.
    return null as T;
  }
  if (!parsed) {
    throw new APIError(
      `Unexpected non-JSON answer from ${NAMESPACE}/${endPoint}`,
      response.status,
      false
    );
  }
  return data as T;
}
