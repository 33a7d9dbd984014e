#!/usr/bin/env python3
"""smtp_receiver - a real SMTP server (aiosmtpd, Debian's python3-aiosmtpd) for tests.

Listens on 127.0.0.1 (port 0: the kernel picks one), prints "listening on 127.0.0.1:PORT",
and saves each accepted message in --dir as N.eml (the DATA exactly as received, after
aiosmtpd's dot-unstuffing) with N.json beside it ({"mail_from", "rcpt_tos"}).
Stops on SIGTERM.
"""
import argparse
import asyncio
import json
import os
import signal

from aiosmtpd.smtp import SMTP


class Saver:
    def __init__(self, directory):
        self.dir = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.dir, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".eml.tmp", base + ".eml")  # complete files only
        return "250 Message accepted"


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    opts = p.parse_args()
    handler = Saver(opts.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="receiver.test", decode_data=False), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("listening on 127.0.0.1:%d" % port, flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
