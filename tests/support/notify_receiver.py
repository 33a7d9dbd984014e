#!/usr/bin/env python3
"""notify_receiver - an HTTP receiver for notification tests, on 127.0.0.1.

Records every request as one JSON line {"method", "path", "headers": {name: value},
"body", "status"} in --log, and answers as the service the path looks like:

  .../Messages.json      201 and a Twilio message resource (sid SM..., status "queued")
  .../services/...       200 "ok" (a Slack incoming webhook)
  anything else          200 {"received": true}

Faults: --fail-first N answers 500 to the first N requests; --status CODE answers CODE to
every request (a Twilio-shaped error JSON for Messages.json, Slack's one-word reason for
/services/, else a short JSON error); --listen-after FILE binds the port at once (so the
test can read it) but accepts connections only once FILE exists - until then clients get
"connection refused".

Prints "listening on 127.0.0.1:PORT" once the port is known.  Stops on SIGTERM.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"count": 0}


def answer(path, status):
    """The status, content type and body the imitated service sends."""
    if path.endswith("/Messages.json"):
        if status < 300:
            sid = "SM%032x" % STATE["count"]
            return status, "application/json", json.dumps(
                {"sid": sid, "status": "queued", "error_code": None, "error_message": None})
        code = {400: 21211, 401: 20003, 404: 20404, 429: 20429}.get(status, 20500)
        return status, "application/json", json.dumps(
            {"code": code, "message": "receiver refused the message (test)",
             "more_info": "https://www.twilio.com/docs/errors/%d" % code, "status": status})
    if "/services/" in path:
        reason = {400: "invalid_payload", 403: "action_prohibited", 404: "channel_not_found",
                  410: "channel_is_archived"}.get(status, "rollup_error")
        return status, "text/plain", "ok" if status < 300 else reason
    if status < 300:
        return status, "application/json", '{"received": true}'
    return status, "application/json", json.dumps({"error": "refused (test)"})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        with LOCK:
            STATE["count"] += 1
            n = STATE["count"]
        opts = self.server.opts
        ok = 201 if self.path.endswith("/Messages.json") else 200
        if opts.status:
            status = opts.status
        elif n <= opts.fail_first:
            status = 500
        else:
            status = ok
        status, ctype, text = answer(self.path, status)
        data = text.encode()
        record = {"method": self.command, "path": self.path,
                  "headers": {k: v for k, v in self.headers.items()}, "body": body,
                  "status": status}
        with LOCK:
            with open(opts.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_PUT = do_POST


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--status", type=int, default=0)
    p.add_argument("--listen-after")
    opts = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler, bind_and_activate=False)
    srv.daemon_threads = True
    srv.opts = opts
    srv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.server_bind()  # bound, not listening: connections are refused
    print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
    deadline = time.time() + 60
    while opts.listen_after and not os.path.exists(opts.listen_after):
        if time.time() > deadline:
            sys.exit("notify_receiver: %s never appeared" % opts.listen_after)
        time.sleep(0.01)
    srv.server_activate()
    srv.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
