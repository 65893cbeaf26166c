#!/usr/bin/env python3
# The kernel's CPU per connect() as one (source address, destination) pair holds more of the ephemeral range, with
# the port chosen at connect time (IP_BIND_ADDRESS_NO_PORT, as burst's --source-ips does). Run by
# bench/connect-port-cost.sh inside a fresh network namespace. Prints: held, microseconds of process CPU per connect
# over the last step (connect() is a system call: its CPU is the kernel's port search).
import resource, socket, sys, time

count, step = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_NOFILE, (count + 100, count + 100))
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(4096)  # never accepted: a connect() takes its port in the call, whether or not it completes
target = listener.getsockname()
held, last = [], time.process_time()
for i in range(1, count + 1):
    s = socket.socket()
    s.setblocking(False)
    s.setsockopt(socket.IPPROTO_IP, 24, 1)  # IP_BIND_ADDRESS_NO_PORT
    s.bind(("127.0.0.2", 0))
    err = s.connect_ex(target)
    if err not in (0, 115):  # 115: EINPROGRESS
        print(f"connect {i} failed: errno {err}")
        break
    held.append(s)
    if i % step == 0:
        now = time.process_time()
        print(f"{i} {(now - last) * 1e6 / step:.1f}", flush=True)
        last = now
