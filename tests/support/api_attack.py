#!/usr/bin/env python3
"""api_attack.py - hostile and well-behaved HTTP clients for the API's connection tests.

Loopback only: every target and source address must be in 127.0.0.0/8.  Every loop is
bounded in count and in time, and the program stops by itself.

  halfclose HOST:PORT TOKEN FILE      POST FILE to /v1/orders, shutdown(SHUT_WR), print the
                                      status line of the answer (exit 1: none within 10 s)
  trickle HOST:PORT --part headers|body|line [--every S] [--max S]
                                      one connection that sends its request a byte at a
                                      time; prints the seconds until the server closed it
                                      (or --max if it never did)
  requests HOST:PORT PATH            one GET of PATH per line of stdin "SOURCE TOKEN [XFF]",
                                      each on a connection of its own from SOURCE (with
                                      X-Forwarded-For: XFF if given); prints the statuses
  flood HOST:PORT --mode headers|body|idle --conns N --sources A[,B...] --seconds S
        [--probe-source 127.0.0.1] [--probe-every S] [--probe-timeout S]
                                      N hostile connections spread over the source
                                      addresses, kept at N (re-opened when closed) for S
                                      seconds, while a well-behaved client asks /healthz
                                      from its own address; prints a JSON summary
"""
import argparse
import json
import selectors
import socket
import sys
import threading
import time


def loopback(addr):
    if not addr.startswith("127."):
        sys.exit("api_attack.py: %s is not a loopback address" % addr)
    return addr


def target(text):
    host, port = text.rsplit(":", 1)
    return (loopback(host), int(port))


def connect(dst, src, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(dst)
    return s


def read_answer(s, deadline):
    data = b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            break
        if not d:
            break
        data += d
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v.strip())
            if len(rest) >= length:
                break
    return data


def cmd_halfclose(a):
    body = open(a.file, "rb").read()
    req = (b"POST /v1/orders HTTP/1.1\r\nHost: orderhub\r\nAuthorization: Bearer "
           + a.token.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: "
           + str(len(body)).encode() + b"\r\n\r\n" + body)
    s = connect(target(a.target), "127.0.0.1", 10)
    s.sendall(req)
    s.shutdown(socket.SHUT_WR)
    data = read_answer(s, time.monotonic() + 10)
    s.close()
    if not data:
        print("no answer")
        return 1
    print(data.split(b"\r\n", 1)[0].decode(errors="replace"))
    print(data.partition(b"\r\n\r\n")[2].decode(errors="replace"))
    return 0


REQUESTS = {
    # part -> (what is sent at once, what is then sent a byte at a time, for ever)
    "line": (b"GET /", b"a"),
    "headers": (b"GET /healthz HTTP/1.1\r\nHost: orderhub\r\n", b"X-Slow: 1\r\n"),
    "body": (b"POST /v1/orders HTTP/1.1\r\nHost: orderhub\r\nContent-Length: 60000\r\n\r\n{",
             b" "),
}


def cmd_trickle(a):
    first, drip = REQUESTS[a.part]
    s = connect(target(a.target), "127.0.0.1", 5)
    start = time.monotonic()
    s.sendall(first)
    i = 0
    while time.monotonic() - start < a.max:
        try:
            s.send(drip[i % len(drip):i % len(drip) + 1])
        except OSError:
            break
        i += 1
        s.settimeout(a.every)
        try:
            if s.recv(4096) == b"":
                break
        except socket.timeout:
            pass
        except OSError:
            break
    print("%.2f" % (time.monotonic() - start))
    s.close()
    return 0


def cmd_requests(a):
    dst = target(a.target)
    for n, line in enumerate(sys.stdin):
        if n >= 10000:
            break
        parts = line.split(None, 2)
        if len(parts) < 2:
            continue
        src, token = loopback(parts[0]), parts[1]
        xff = parts[2].strip() if len(parts) > 2 else None
        req = ("GET %s HTTP/1.1\r\nHost: orderhub\r\nConnection: close\r\n"
               "Authorization: Bearer %s\r\n" % (a.path, token))
        if xff:
            req += "X-Forwarded-For: %s\r\n" % xff
        status = "000"
        try:
            s = connect(dst, src, 10)
            s.sendall((req + "\r\n").encode())
            data = read_answer(s, time.monotonic() + 10)
            s.close()
            if data.startswith(b"HTTP/1."):
                status = data.split(b" ", 2)[1].decode()
        except OSError:
            pass
        print(status)
    return 0


class Probe(threading.Thread):
    """The well-behaved client: GET /healthz on a new connection every `every` seconds."""

    def __init__(self, dst, src, every, timeout, seconds):
        super().__init__(daemon=True)
        self.dst, self.src, self.every, self.timeout = dst, src, every, timeout
        self.until = time.monotonic() + seconds
        self.latencies, self.failures = [], 0

    def run(self):
        while time.monotonic() < self.until:
            start = time.monotonic()
            ok = False
            try:
                s = connect(self.dst, self.src, self.timeout)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: orderhub\r\nConnection: close\r\n\r\n")
                data = read_answer(s, start + self.timeout)
                s.close()
                ok = data.startswith(b"HTTP/1.1 200")
            except OSError:
                pass
            elapsed = time.monotonic() - start
            if ok:
                self.latencies.append(elapsed)
            else:
                self.failures += 1
            time.sleep(max(0.0, self.every - elapsed))


def cmd_flood(a):
    dst = target(a.target)
    sources = [loopback(x) for x in a.sources.split(",")]
    sel = selectors.DefaultSelector()
    conns = {}                       # socket -> (opened at, last byte sent at)
    stats = {"opened": 0, "closed_by_server": 0, "max_open": 0, "longest_s": 0.0}
    first, drip = REQUESTS.get(a.mode, (None, None))
    probe = Probe(dst, loopback(a.probe_source), a.probe_every, a.probe_timeout, a.seconds)
    start = time.monotonic()
    warmup_until = start + a.warmup
    probe_started = False
    n = 0
    while time.monotonic() - start < a.seconds + a.warmup:
        now = time.monotonic()
        if not probe_started and now >= warmup_until:
            probe.start()
            probe_started = True
        # Keep N open, opening at most `rate` a second: refused ones must not spin the CPU
        # of a machine the test shares.
        allowed = int((now - start) * a.rate) - stats["opened"]
        for _ in range(max(0, min(a.conns - len(conns), allowed))):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.bind((sources[n % len(sources)], 0))
                n += 1
                s.connect_ex(dst)
            except OSError:
                s.close()
                break
            conns[s] = [now, now, 0]
            sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
            stats["opened"] += 1
        stats["max_open"] = max(stats["max_open"], len(conns))
        for key, ev in sel.select(timeout=0.05):
            s = key.fileobj
            st = conns[s]
            if ev & selectors.EVENT_WRITE and st[2] == 0:
                try:
                    if a.mode == "idle":
                        s.send(b"GET /healthz HTTP/1.1\r\nHost: orderhub\r\n\r\n")
                    else:
                        s.send(first)
                    st[2] = 1
                    sel.modify(s, selectors.EVENT_READ)
                except OSError:
                    pass
                continue
            if ev & selectors.EVENT_READ:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b""
                if not d:
                    stats["closed_by_server"] += 1
                    stats["longest_s"] = max(stats["longest_s"], time.monotonic() - st[0])
                    sel.unregister(s)
                    s.close()
                    del conns[s]
        # Half-sent requests: one more byte now and then, as a slow client would.
        if a.mode != "idle":
            now = time.monotonic()
            for s, st in list(conns.items()):
                if st[2] and now - st[1] >= a.drip_every:
                    st[1] = now
                    try:
                        s.send(drip[:1])
                    except OSError:
                        pass
    now = time.monotonic()
    for s, st in conns.items():
        stats["longest_s"] = max(stats["longest_s"], now - st[0])
        s.close()
    if probe_started:
        probe.join(a.probe_timeout + 1)
    lat = sorted(probe.latencies)
    stats.update({
        "probe_ok": len(lat),
        "probe_failed": probe.failures,
        "probe_max_s": round(lat[-1], 3) if lat else None,
        "probe_median_s": round(lat[len(lat) // 2], 3) if lat else None,
    })
    print(json.dumps(stats))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("halfclose")
    h.add_argument("target")
    h.add_argument("token")
    h.add_argument("file")
    t = sub.add_parser("trickle")
    t.add_argument("target")
    t.add_argument("--part", choices=sorted(REQUESTS), default="headers")
    t.add_argument("--every", type=float, default=0.3)
    t.add_argument("--max", type=float, default=20)
    r = sub.add_parser("requests")
    r.add_argument("target")
    r.add_argument("path")
    f = sub.add_parser("flood")
    f.add_argument("target")
    f.add_argument("--mode", choices=["headers", "body", "idle"], required=True)
    f.add_argument("--conns", type=int, required=True)
    f.add_argument("--sources", default="127.0.0.2")
    f.add_argument("--seconds", type=float, default=10)
    f.add_argument("--warmup", type=float, default=2,
                   help="seconds of flood before the probe starts")
    f.add_argument("--rate", type=int, default=500, help="connections opened per second")
    f.add_argument("--drip-every", type=float, default=1.0)
    f.add_argument("--probe-source", default="127.0.0.1")
    f.add_argument("--probe-every", type=float, default=0.25)
    f.add_argument("--probe-timeout", type=float, default=2.0)
    a = p.parse_args()
    if a.cmd == "flood":
        a.conns = min(a.conns, 5000)
        a.seconds = min(a.seconds, 60)
    if a.cmd == "trickle":
        a.max = min(a.max, 60)
    return {"halfclose": cmd_halfclose, "trickle": cmd_trickle, "requests": cmd_requests,
            "flood": cmd_flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
