# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The real-service benchmark of scripts/bench-service.sh: an HTTP
service built on the standard library, and a client measuring the
requests per second it answers.

Usage:
  service.py serve DIR        serve on 127.0.0.1, an ephemeral port;
                              prints "port N" on stdout once listening
  service.py client PORT SECS [CONNS]
                              CONNS threads (default 2) sending GET
                              requests for SECS seconds, a new connection
                              per request; prints "requests N rps R"

Each request does what services do: a log line (logging to a file: the
handler's findCaller is a sys._getframe event), a data file opened and
read, a JSON document parsed and built, an environment variable read;
every 50th request runs a command (subprocess.run), every 10th writes
and renames a file. ThreadingHTTPServer: a thread per connection.
"""
import http.client
import http.server
import json
import logging
import os
import subprocess
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    count = 0
    lock = threading.Lock()

    def do_GET(self):
        with Handler.lock:
            Handler.count += 1
            n = Handler.count
        d = self.server.datadir
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
        body = {"n": n, "path": self.path, "name": cfg["name"],
                "home": os.environ.get("HOME", "")}
        if n % 10 == 0:
            tmp = os.path.join(d, f"state-{threading.get_ident()}.tmp")
            with open(tmp, "w") as f:
                json.dump(body, f)
            os.replace(tmp, os.path.join(d, "state.json"))
        if n % 50 == 0:
            r = subprocess.run(["true"], capture_output=True)
            body["rc"] = r.returncode
        data = json.dumps(body).encode()
        logging.info("GET %s -> 200 (%d bytes)", self.path, len(data))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass    # the access log is the logging call above


def serve(datadir):
    with open(os.path.join(datadir, "config.json"), "w") as f:
        json.dump({"name": "bench", "items": list(range(20))}, f)
    logging.basicConfig(filename=os.path.join(datadir, "service.log"),
                        level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(funcName)s %(message)s")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.datadir = datadir
    srv.daemon_threads = True
    print("port", srv.server_address[1], flush=True)
    srv.serve_forever()


def client(port, secs, conns):
    done = [0] * conns
    errors = [0] * conns
    end = time.monotonic() + secs

    def run(i):
        while time.monotonic() < end:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                c.request("GET", f"/item/{done[i]}")
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    done[i] += 1
                else:
                    errors[i] += 1
            except OSError:
                errors[i] += 1
            finally:
                c.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    print(f"requests {sum(done)} rps {sum(done) / dt:.1f} errors {sum(errors)}")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "client":
        client(int(sys.argv[2]), float(sys.argv[3]),
               int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    else:
        sys.exit(__doc__)


main()
