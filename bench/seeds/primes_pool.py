"""Trial division with multiprocessing.Pool(4) and pool.map over every number
(the tutorial's second version)."""
import math
import multiprocessing
import sys
import time


def is_prime(num):
    for i in range(2, int(math.sqrt(num) + 1)):
        if not num % i:
            return
    return num


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1000000
    start_time = time.time()
    proc = multiprocessing.current_process()
    print(f"main PID: {proc.pid}")
    pool = multiprocessing.Pool(processes=4)
    p_nums = list(filter(lambda x: x != None, pool.map(is_prime, range(2, n + 1))))
    pool.close()
    pool.join()
    print(f"primes {len(p_nums)} seconds {time.time() - start_time:.3f}")
