# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The command line: ``python tests/simulator/partner_center_simulator.py [--seed] [--host] [--port] [--url-file]``
(or ``python -m pcsim`` from tests/simulator). Runs until SIGTERM or SIGINT."""

import argparse
import os
import signal
import sys
import threading

from .seed import DEFAULT_SEED_PATH, load_seed
from .simulator import PartnerCenterSimulator, is_loopback_host


def _write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def main(argv=None):
    """Run the simulator until SIGTERM or SIGINT; return the process exit status."""
    parser = argparse.ArgumentParser(description="Local Microsoft Partner Center simulator (API and Entra ID token endpoint).")
    parser.add_argument("--seed", default=DEFAULT_SEED_PATH, help="seed JSON file (default: seed.json beside this script)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free port (default: 0)")
    parser.add_argument("--url-file", help="write the base URL to this file once listening (atomically)")
    args = parser.parse_args(argv)
    if not is_loopback_host(args.host):
        parser.error("--host must be a loopback address (127.0.0.0/8, ::1 or localhost), not %r" % args.host)
    try:
        simulator = PartnerCenterSimulator(load_seed(args.seed), host=args.host, port=args.port)
    except (OSError, ValueError) as exc:
        sys.stderr.write("partner_center_simulator: cannot load seed %s: %s\n" % (args.seed, exc))
        return 2
    stop_requested = threading.Event()

    def request_stop(_signum, _frame):
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        url = simulator.start()
    except OSError as exc:
        sys.stderr.write("partner_center_simulator: cannot listen on %s:%s: %s\n" % (args.host, args.port, exc))
        return 1
    try:
        if args.url_file:
            _write_atomically(args.url_file, url)
        print("Partner Center simulator listening on %s" % url, flush=True)
        while not stop_requested.wait(1.0):
            pass
    finally:
        simulator.stop()
        if args.url_file:
            try:
                os.remove(args.url_file)
            except OSError:
                pass
    return 0
