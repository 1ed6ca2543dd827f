"""A FlowMeter-like backend for Localguard's bench (testdata/bench).

Started as `python3 -m app.main` in a temporary FlowMeter/backend/ folder,
it reads HOST and PORT from ./.env as FlowMeter does, answers the two
endpoints Localguard reads, and prints "listening" once its socket accepts
connections, so the bench can time from that moment.
"""
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTES = {
    "/api/info": {
        "name": "FlowMeter API",
        "version": "1.0",
        "docs": "/docs",
        "health": "/health",
    },
    "/api/v1/settings/security": {
        "success": True,
        "data": {"allow_unsafe_formulas": False},
    },
}


def settings(path=".env"):
    """Returns (host, port) from the KEY=value lines of path."""
    values = {"HOST": "0.0.0.0", "PORT": "8000"}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.strip().partition("=")
                if sep and not key.startswith("#"):
                    values[key.strip()] = value.strip().strip("\"'")
    except FileNotFoundError:
        pass
    return values["HOST"], int(values["PORT"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ROUTES.get(self.path)
        code = 200 if body is not None else 404
        data = json.dumps(body if body is not None else {"detail": "Not Found"}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    host, port = settings()
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
