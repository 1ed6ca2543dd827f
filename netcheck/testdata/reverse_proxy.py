"""A 20-line reverse proxy, a relay on no list of Localguard's (issue 18):
HTTP in on 0.0.0.0:ARGV1, urllib to 127.0.0.1:ARGV2. Used by netcheck's
tests and by the bench (testdata/bench)."""
import sys, urllib.request, urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
UP = "http://127.0.0.1:%s" % sys.argv[2]
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            r = urllib.request.urlopen(UP + self.path, timeout=10)
            code, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, body = e.code, e.read()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
