"""A slow reverse proxy (issue 18's slow relays): HTTP in on 0.0.0.0:ARGV1,
passed on at once to 127.0.0.1:ARGV2, and the answer given back ARGV3
seconds later. With ARGV4 "hold" its connection to 127.0.0.1:ARGV2 stays
open while it waits (else it is closed as soon as the answer is read).
With ARGV2 "0" it passes nothing on and answers 404 after the delay (a
slow site that is not FlowMeter). Used by netcheck's tests."""
import http.client, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
UP, DELAY = int(sys.argv[2]), float(sys.argv[3])
HOLD = len(sys.argv) > 4 and sys.argv[4] == "hold"
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        code, body, up = 404, b"no such page", None
        if UP:
            up = http.client.HTTPConnection("127.0.0.1", UP, timeout=10)
            up.request("GET", self.path)
            r = up.getresponse()
            code, body = r.status, r.read()
            if not HOLD:
                up.close()
        time.sleep(DELAY)
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if up:
            up.close()
    def log_message(self, *a):
        pass
ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
