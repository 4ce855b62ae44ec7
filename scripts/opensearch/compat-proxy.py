# Experiment only (README.md here): an HTTP proxy 127.0.0.1:19201 -> 19200 that answers
# GET /_license itself and, with FAKEVER=7.10.2, reports that version on GET /,
# the two things libbeat needs to publish to OpenSearch. Not for production.
import http.server, urllib.request, urllib.error, json, socketserver, sys
UP = 'http://127.0.0.1:19200'
FAKEVER = __import__("os").environ.get("FAKEVER")
LIC = json.dumps({"license": {"status": "active", "uid": "fake", "type": "basic", "issue_date": "2024-01-01T00:00:00.000Z", "issue_date_in_millis": 1704067200000, "max_nodes": 1000, "issued_to": "os-try", "issuer": "elasticsearch", "start_date_in_millis": -1}}).encode()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, fmt, *a): sys.stderr.write('%s %s\n' % (self.command, self.path))
    def _go(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n else None
        if self.path.split('?')[0] == '/_license':
            code, hdrs, data = 200, {'Content-Type': 'application/json'}, LIC
        else:
            req = urllib.request.Request(UP + self.path, data=body, method=self.command)
            for k in ('Content-Type', 'Accept', 'Content-Encoding'):
                if self.headers.get(k): req.add_header(k, self.headers[k])
            try:
                r = urllib.request.urlopen(req, timeout=60); code, data, h = r.status, r.read(), r.headers
            except urllib.error.HTTPError as e:
                code, data, h = e.code, e.read(), e.headers
            if FAKEVER and self.path.split('?')[0] == '/' and code == 200:
                j = json.loads(data); j['version']['number'] = FAKEVER; data = json.dumps(j).encode()
            hdrs = {k: v for k, v in h.items() if k.lower() in ('content-type', 'content-encoding', 'x-elastic-product')}
        self.send_response(code)
        for k, v in hdrs.items(): self.send_header(k, v)
        self.send_header('Content-Length', str(len(data))); self.end_headers()
        if self.command != 'HEAD': self.wfile.write(data)
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _go
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
S(('127.0.0.1', 19201), H).serve_forever()
