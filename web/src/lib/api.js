// The API client: one place that speaks the daemon's /api2/json protocol
// (envelope, CSRF header on writes, 1/0 booleans) and turns failures into
// ApiError values the pages can show.

/** ApiError is a failed API call: HTTP status, a message for people, and the per-field errors of a 400. */
export class ApiError extends Error {
  constructor(status, message, errors = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }
}

/** encodeParams turns a plain object into form/query parameters: booleans become 1/0, arrays repeat the key, null and undefined are left out. */
export function encodeParams(params) {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      out.append(key, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
  }
  return out;
}

/** errorFor builds the ApiError for a non-2xx answer. body is the decoded envelope or null. */
export function errorFor(status, statusText, body) {
  const text = ((body && body.message) || '').trim();
  if (status === 401) {
    return new ApiError(401, text || 'Your session has ended or was not accepted (401). Please log in again.');
  }
  if (status === 403) {
    return new ApiError(403, `You lack the permission for this: ${text || 'permission check failed'} (403).`);
  }
  if (status === 400 && body && body.errors) {
    return new ApiError(400, text || 'Parameter verification failed.', body.errors);
  }
  return new ApiError(status, text || statusText || `request failed with HTTP ${status}`, body && body.errors);
}

/**
 * createClient returns { call, get, post, put, del } over fetch.
 * getCsrf gives the current CSRF token; onUnauthorized is told about every 401
 * (except on the login call itself).
 */
export function createClient({ fetchFn = (...a) => fetch(...a), getCsrf = () => '', onUnauthorized = () => {}, base = '/api2/json' } = {}) {
  async function call(method, path, params) {
    let url = base + path;
    const init = { method, headers: {}, credentials: 'same-origin' };
    const encoded = encodeParams(params);
    if (method === 'GET' || method === 'DELETE') {
      const q = encoded.toString();
      if (q) url += '?' + q;
    } else {
      init.body = encoded.toString();
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    if (method !== 'GET') {
      const csrf = getCsrf();
      if (csrf) init.headers.CSRFPreventionToken = csrf;
    }
    let resp;
    try {
      resp = await fetchFn(url, init);
    } catch (e) {
      throw new ApiError(0, `Cannot reach the hostadm daemon (${e.message || e}).`);
    }
    const body = await readBody(resp);
    if (!resp.ok) {
      const err = errorFor(resp.status, resp.statusText, body);
      if (resp.status === 401 && path !== '/access/ticket') onUnauthorized(err);
      throw err;
    }
    return body || { data: null };
  }
  return {
    call,
    get: async (path, params) => (await call('GET', path, params)).data,
    post: async (path, params) => (await call('POST', path, params)).data,
    put: async (path, params) => (await call('PUT', path, params)).data,
    del: async (path, params) => (await call('DELETE', path, params)).data,
  };
}

async function readBody(resp) {
  const type = (resp.headers && resp.headers.get && resp.headers.get('Content-Type')) || '';
  if (!type.includes('json')) return null;
  try {
    return await resp.json();
  } catch {
    return null;
  }
}
