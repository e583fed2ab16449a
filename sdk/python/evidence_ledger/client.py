"""A client of an evidence-ledger node's HTTP API (docs/api.md), standard library only.

Submissions resend the same bytes: ``submit`` and ``submit_batch`` post the
signed body they are given and, when the node cannot be reached, drops the
connection, answers 429 (too many) or 503 (not ready), post exactly those bytes
again after a pause (Retry-After, or 1, 2, 4, ... up to 30 s) until
``retry_for`` seconds have passed. The record id covers the record's time, so
a record signed again would be a second entry; the same bytes are idempotent
(200, "already_known": true).

Every refusal raises ProblemError with the node's problem+json members (the
name, the detail, and for a refused record what the node computed: record_id,
signing_bytes_sha256, signing_bytes, index ...). Transport failures that outlast
``retry_for`` raise TransportError.
"""
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

RETRY_PAUSE_MAX = 30.0


class ProblemError(Exception):
    """A refusal: ``status`` (HTTP), ``name`` (e.g. "bad-signature"), ``detail``,
    and ``problem``, every member of the problem+json answer."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem
        self.name = str(problem.get("type", "")).rsplit("/", 1)[-1]
        self.detail = problem.get("detail", "")
        super().__init__(f"{self.detail} ({self.name}, HTTP {status})")


class TransportError(Exception):
    """The node could not be reached (or kept dropping the connection)."""


class Client:
    def __init__(self, url, *, retry_for=120.0, request_timeout=60.0, sleep=time.sleep,
                 on_retry=None):
        """``url`` e.g. "http://127.0.0.1:8080"; ``on_retry(reason, pause)`` is called
        before each retry (e.g. to log it); ``sleep`` is replaceable for tests."""
        self.url = url.rstrip("/")
        self.retry_for = retry_for
        self.request_timeout = request_timeout
        self._sleep = sleep
        self._on_retry = on_retry

    # ------------------------------------------------------------ transport

    def _once(self, method, path, body, headers, timeout):
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def _send(self, method, path, body=None, headers=None, timeout=None):
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
        deadline = time.monotonic() + self.retry_for
        transport_pause = 1.0
        while True:
            try:
                status, answer_headers, data = self._once(
                    method, path, body, headers, timeout or self.request_timeout)
                if status not in (429, 503):
                    return status, data
                retry_after = answer_headers.get("Retry-After", "1")
                pause = min(float(retry_after) if retry_after.isdigit() else 1.0, RETRY_PAUSE_MAX)
                reason = f"HTTP {status}"
                if time.monotonic() + pause >= deadline:
                    return status, data
            except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                pause = transport_pause
                transport_pause = min(2 * transport_pause, RETRY_PAUSE_MAX)
                reason = f"cannot reach {self.url}: {getattr(error, 'reason', error)}"
                if time.monotonic() + pause >= deadline:
                    raise TransportError(reason) from None
            if self._on_retry is not None:
                self._on_retry(reason, pause)
            self._sleep(pause)  # the node asked, or needs, to be called back later

    def _json(self, method, path, body=None, headers=None, timeout=None):
        status, data = self._send(method, path, body, headers, timeout)
        try:
            answer = json.loads(data) if data else {}
        except ValueError:
            answer = {"detail": data[:200].decode(errors="replace")}
        if status >= 400:
            raise ProblemError(status, answer if isinstance(answer, dict) else {})
        return answer

    # ------------------------------------------------------------ submissions

    @staticmethod
    def _query(wait, timeout_ms, dry_run):
        query = {}
        if wait:
            query["wait"] = "commit"
        if timeout_ms is not None:
            query["timeout_ms"] = str(int(timeout_ms))
        if dry_run:
            query["dry_run"] = "1"
        return "?" + urllib.parse.urlencode(query) if query else ""

    def _wait_timeout(self, wait, timeout_ms):
        return self.request_timeout + (timeout_ms or 30_000) / 1000 if wait else None

    def submit(self, signed, *, wait=False, timeout_ms=None, dry_run=False):
        """POSTs a records.SignedRecord's body (and the same bytes on retries).
        Returns the answer: {"id", "status", "already_known", "receipt"?, "wait"?},
        or for a dry run {"dry_run", "valid", "id", "signing_bytes_sha256", ...}."""
        return self._json("POST", "/v1/records" + self._query(wait, timeout_ms, dry_run),
                          signed.body, timeout=self._wait_timeout(wait, timeout_ms))

    def submit_batch(self, batch, *, wait=False, timeout_ms=None, dry_run=False):
        """POSTs a records.SignedBatch's body. Returns {"batch_id", "records": [...]}."""
        return self._json("POST", "/v1/batches" + self._query(wait, timeout_ms, dry_run),
                          batch.body, timeout=self._wait_timeout(wait, timeout_ms))

    # ------------------------------------------------------------ reads

    def status(self):
        return self._json("GET", "/v1/status")

    def record(self, record_id, *, digest=None, token=None):
        """A record and its receipt. The node shows them to whoever names the
        record's document digest (``digest``, "sha256:<hex>": what the agency
        that signed it has) or to a reader (``token``); to anyone else 401."""
        path = "/v1/records/" + record_id
        if digest is not None:
            path += "?digest=" + urllib.parse.quote(digest, safe=":")
        headers = {"Authorization": f"Bearer {token}"} if token is not None else None
        return self._json("GET", path, headers=headers)

    def receipt(self, record_id, *, digest=None, token=None, wait_seconds=60.0,
                poll_seconds=0.5):
        """The receipt of a record, polling GET /v1/records/{id} until it is
        committed (give its document ``digest`` or a reader ``token``)."""
        deadline = time.monotonic() + wait_seconds
        while True:
            view = self.record(record_id, digest=digest, token=token)
            if view.get("status") == "committed" and view.get("receipt"):
                return view["receipt"]
            if time.monotonic() >= deadline:
                raise TimeoutError(f"record {record_id} is not committed after {wait_seconds} s")
            self._sleep(poll_seconds)  # polling the node at a bounded rate

    def digest(self, digest):
        return self._json("GET", "/v1/digests/" + digest)

    def case(self, case_id, token):
        """The trail of a case (any spelling of its id) for a reader's bearer token."""
        return self._json("GET", "/v1/cases/" + urllib.parse.quote(case_id, safe=""),
                          headers={"Authorization": f"Bearer {token}"})

    def tree_head(self):
        return self._json("GET", "/v1/tree-head")
