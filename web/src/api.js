// The only module that talks to the node (the HTTP API of docs/api.md), always on
// the origin the page came from. It sends digests, record ids, case ids and the
// reader's token; never a document's bytes. Answers are {ok: true, data} or
// {ok: false, status, detail} (status 0 when the node could not be reached).

/** @typedef {{ok: true, data: any} | {ok: false, status: number, type?: string, detail: string}} ApiResult */

/**
 * @param {string} path e.g. "/v1/tree-head"
 * @param {{token?: string|null, text?: boolean}} [options]
 * @returns {Promise<ApiResult>}
 */
async function get(path, { token = null, text = false } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch (error) {
    return { ok: false, status: 0, detail: String(error?.message ?? error) };
  }
  const body = await response.text();
  if (!response.ok) {
    let problem = {};
    try {
      problem = JSON.parse(body);
    } catch {
      // Not problem+json (a proxy's page): report the status only.
    }
    return { ok: false, status: response.status, type: problem.type, detail: problem.detail ?? response.statusText };
  }
  if (text) return { ok: true, data: body };
  try {
    return { ok: true, data: JSON.parse(body) };
  } catch {
    return { ok: false, status: response.status, detail: 'the node answered with something that is not JSON' };
  }
}

const segment = encodeURIComponent;

/** The genesis file as text (verification parses it strictly itself). */
export const getGenesis = () => get('/v1/genesis', { text: true });
export const getStatus = () => get('/v1/status');
export const getTreeHead = () => get('/v1/tree-head');
/** @param {string} digest "sha256:<hex>" */
export const findByDigest = (digest) => get(`/v1/digests/${segment(digest)}`);
/** @param {string} id @param {string|null} token */
export const getRecord = (id, token) => get(`/v1/records/${segment(id)}`, { token });
/** @param {string} caseId @param {string} token */
export const getCase = (caseId, token) => get(`/v1/cases/${segment(caseId)}`, { token });
/** @param {number} height @param {string|null} token */
export const getBlock = (height, token) => get(`/v1/blocks/${height}`, { token });
/** @param {number} from @param {number} limit @param {string|null} token */
export const listBlocks = (from, limit, token) => get(`/v1/blocks?from=${from}&limit=${limit}`, { token });
/**
 * The supervision report of a period (a reader whose role may read reports).
 * @param {{from: string, to: string, agency?: string}} query dates YYYY-MM-DD @param {string} token
 */
export const getSupervisionReport = ({ from, to, agency }, token) =>
  get(`/v1/reports/supervision?from=${segment(from)}&to=${segment(to)}${agency ? `&agency=${segment(agency)}` : ''}`, { token });
