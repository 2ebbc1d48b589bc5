"""A local web server for the link check: no test reaches the outside network. The check
refuses private and local addresses, so the fixture allows this server's (127.0.0.1) for the
test; tests of the refusal take the allowance away again."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Site:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.user_agents: list[str] = []
        self.methods: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"


class Handler(BaseHTTPRequestHandler):
    site: Site
    # Path -> (status, Location) for HEAD and GET alike.
    ROUTES = {
        "/ok": (200, None),
        "/gone": (404, None),
        "/moved": (301, "/moved-again"),
        "/moved-again": (302, "/ok"),
        "/error": (500, None),
        "/to-metadata": (302, "http://169.254.169.254/latest/meta-data/"),
        "/to-ftp": (302, "ftp://127.0.0.1:1/"),
    }

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, send_body: bool) -> None:
        site = self.server.site
        path = self.path.split("?")[0]
        with site.lock:
            site.user_agents.append(self.headers.get("User-Agent", ""))
            site.methods.append((self.command, path))
            site.in_flight += 1
            site.most_in_flight = max(site.most_in_flight, site.in_flight)
        counted = True

        def leave() -> None:
            # Before the answer goes out: once the checker has read it, it may send the host's
            # next request, which must not find this one still counted.
            nonlocal counted
            if counted:
                with site.lock:
                    site.in_flight -= 1
                counted = False

        try:
            if path == "/slow":
                time.sleep(1.5)
                status, location = 200, None
            elif path == "/pause":
                time.sleep(0.1)
                status, location = 200, None
            elif path == "/no-head":
                status, location = (405 if self.command == "HEAD" else 200), None
            else:
                status, location = self.ROUTES.get(path, (404, None))
            body = b"<!doctype html><title>x</title>"
            leave()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the checker gave up (timeout)
            pass
        finally:
            leave()

    def do_HEAD(self):
        self._answer(send_body=False)

    def do_GET(self):
        self._answer(send_body=True)


@pytest.fixture
def site(settings):
    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.LINK_CHECK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.site = Site(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site
    server.shutdown()
    server.server_close()
