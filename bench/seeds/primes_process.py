"""Trial division with four explicit Processes, one quarter of [2, n] each
(the tutorial's third version, a hand-made block decomposition)."""
import math
import multiprocessing
import sys
import time


def is_prime(num):
    for i in range(2, int(math.sqrt(num) + 1)):
        if not num % i:
            return False
    return True


def prime_num(s, e, conn):
    count = 0
    for i in range(s, e):
        if is_prime(i) == True:
            count += 1
    conn.send(count)


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1000000
    parent_conn, child_conn = multiprocessing.Pipe()
    proc = multiprocessing.current_process()
    print(f"main PID: {proc.pid}")
    start_time = time.time()
    procs = []
    num_list = [2, n // 4, n // 2, n // 4 * 3, n + 1]
    for i in range(len(num_list) - 1):
        p = multiprocessing.Process(target=prime_num,
                                    args=(num_list[i], num_list[i + 1], child_conn))
        procs.append(p)
        p.start()
    total = sum(parent_conn.recv() for _ in procs)
    for p in procs:
        p.join()
    print(f"primes {total} seconds {time.time() - start_time:.3f}")
