#!/usr/bin/env python3
"""Full MQTT v5 connects from an independent client (Python's ssl module over OpenSSL), for bench/server-cpu.sh.

Each connect is a new TCP connection, a full mutual-TLS 1.2 handshake (no session resumption), CONNECT, CONNACK
(reason 0 required), DISCONNECT and close. CONCURRENCY threads share COUNT connects; the handshakes run in OpenSSL
with the GIL released, so the threads overlap. Prints "OK FAILED" on one line; exit 1 if any failed.

Usage: mqtt-connects.py HOST PORT PKI_DIR COUNT [CONCURRENCY]   (CONCURRENCY default 6)
"""
import itertools
import os
import socket
import ssl
import sys
import threading


def connect_packet(client_id: bytes) -> bytes:
    # MQTT v5 CONNECT: protocol name, level 5, clean start, keepalive 60 s, no properties, the client id.
    body = b"\x00\x04MQTT\x05\x02\x00\x3c\x00" + len(client_id).to_bytes(2, "big") + client_id
    return bytes([0x10, len(body)]) + body  # every body here is < 128 bytes: one length byte


def read_exact(conn, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed before CONNACK")
        data += chunk
    return data


def one_connect(context, host, port, client_id: bytes) -> None:
    with socket.create_connection((host, port), timeout=30) as raw:
        with context.wrap_socket(raw) as conn:
            conn.sendall(connect_packet(client_id))
            header = read_exact(conn, 2)
            if header[0] != 0x20 or header[1] & 0x80:
                raise ConnectionError(f"not a short CONNACK: {header.hex()}")
            body = read_exact(conn, header[1])
            if body[1] != 0:
                raise ConnectionError(f"CONNACK reason {body[1]}")
            conn.sendall(b"\xe0\x00")  # DISCONNECT, normal


def main() -> int:
    if len(sys.argv) not in (5, 6):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    host, port, pki, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    concurrency = int(sys.argv[5]) if len(sys.argv) == 6 else 6
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False  # the benchmark PKI's server name is not the loopback address
    context.load_verify_locations(os.path.join(pki, "ca.pem"))
    context.load_cert_chain(os.path.join(pki, "client.pem"), os.path.join(pki, "client.key"))
    tickets = itertools.count()
    lock = threading.Lock()
    results = {"ok": 0, "failed": 0, "first_error": None}

    def worker() -> None:
        while True:
            with lock:
                i = next(tickets)
            if i >= count:
                return
            try:
                one_connect(context, host, port, f"pyc-{os.getpid()}-{i}".encode())
                outcome, error = "ok", None
            except (OSError, ConnectionError) as e:
                outcome, error = "failed", e
            with lock:
                results[outcome] += 1
                if error is not None and results["first_error"] is None:
                    results["first_error"] = repr(error)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(results["ok"], results["failed"])
    if results["first_error"]:
        print(f"first failure: {results['first_error']}", file=sys.stderr)
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
