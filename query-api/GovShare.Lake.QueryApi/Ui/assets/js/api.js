// The UI calls the same HTTP API as machines do; the session cookie authenticates it, the CSRF token is echoed on every
// state-changing request, and X-Purpose carries the purpose the user stated in the header bar (data requests need one).

let csrfToken = null;
let purpose = sessionStorage.getItem('govshare.purpose') ?? '';
const unauthorizedListeners = new Set();

/** An error answer of the API (RFC 9457 problem details). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem?.title ?? '';
    this.detail = problem?.detail ?? '';
    this.problem = problem ?? {};
  }

  /** Whether the API refused because no purpose was stated. */
  get needsPurpose() {
    return this.status === 400 && /X-Purpose/.test(this.detail);
  }
}

/** Sets the session's CSRF token (from sign-in or GET /api/session). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** The purpose the user stated for this session's data requests. */
export function getPurpose() {
  return purpose;
}

/** States the purpose (kept for the browser tab's session). */
export function setPurpose(value) {
  purpose = (value ?? '').trim();
  sessionStorage.setItem('govshare.purpose', purpose);
}

/** Forgets what this browser tab kept for the signed-in person (the purpose, the SQL console's text): called at sign-out and
 * when the session ends, so that the next person at the same tab starts clean. */
export function forgetSessionState() {
  purpose = '';
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith('govshare.')) sessionStorage.removeItem(key);
  }
}

/** Calls back when the API says the session has ended (401), so that the shell shows the sign-in page. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

function headers(method, extra, hasBody) {
  const result = { Accept: 'application/json, application/problem+json', ...extra };
  if (hasBody) result['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) result['X-CSRF-Token'] = csrfToken;
  if (purpose) result['X-Purpose'] = encodeURIComponent(purpose);
  return result;
}

/** Sends a request; resolves with the parsed JSON (null for 204), or with the Response when options.raw. Throws ApiError. */
export async function api(method, path, body, options = {}) {
  const hasBody = body !== undefined;
  const response = await fetch(path, {
    method,
    headers: headers(method, options.headers ?? {}, hasBody),
    body: hasBody ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
    signal: options.signal,
  });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    if (response.status === 401 && !options.quiet401) {
      for (const listener of unauthorizedListeners) listener();
    }
    throw new ApiError(response.status, problem);
  }
  if (options.raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body ?? {}, options);
export const put = (path, body, options) => api('PUT', path, body ?? {}, options);
export const patch = (path, body, options) => api('PATCH', path, body ?? {}, options);
export const del = (path, options) => api('DELETE', path, undefined, options);

/** A query string from an object, leaving out empty values. */
export function qs(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Downloads what a request answers as a file (exports, receipts): the name from Content-Disposition, else fallbackName. */
export async function download(method, path, body, fallbackName, options = {}) {
  const response = await api(method, path, body, { ...options, raw: true });
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition) ?? /filename="?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { name, size: blob.size, type: blob.type };
}
