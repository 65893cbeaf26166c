#!/usr/bin/env python3
"""Samples RSS, open fds, threads and CPU of processes (and their children) every INTERVAL seconds into a CSV.

usage: soak-sample.py OUT.csv INTERVAL ROLE=PID [ROLE=PID...]   (runs until SIGTERM or every process is gone)
Each row: t (s since start), role, pid, rss_kib, fds, threads, cpu_s. A role's children (burst's worker processes)
are sampled under the same role, so "every process on both sides" is covered.
"""
import os, signal, sys, time

out, interval, pairs = sys.argv[1], float(sys.argv[2]), [a.split("=", 1) for a in sys.argv[3:]]
hz = os.sysconf("SC_CLK_TCK")
stop = False
signal.signal(signal.SIGTERM, lambda *_: globals().__setitem__("stop", True))


def children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return kids + [g for k in kids for g in children(k)]


def sample(pid):
    # /proc/PID/status: "VmRSS:     12345 kB" and "Threads:        17"; /proc/PID/stat fields 14-15 are utime, stime.
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / hz
    return int(status["VmRSS"].split()[0]), len(os.listdir(f"/proc/{pid}/fd")), int(status["Threads"]), cpu


start = time.monotonic()
with open(out, "w") as f:
    f.write("t,role,pid,rss_kib,fds,threads,cpu_s\n")
    while not stop:
        t = time.monotonic() - start
        alive = 0
        for role, pid in pairs:
            for p in [int(pid)] + children(int(pid)):
                try:
                    rss, fds, threads, cpu = sample(p)
                except (OSError, KeyError, IndexError):
                    continue
                alive += 1
                f.write(f"{t:.1f},{role},{p},{rss},{fds},{threads},{cpu:.2f}\n")
        f.flush()
        if alive == 0:
            break
        deadline = time.monotonic() + interval
        while not stop and time.monotonic() < deadline:
            time.sleep(0.2)
