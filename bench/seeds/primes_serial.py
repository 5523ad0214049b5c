"""Trial division over [2, n] in one process (the tutorial's first version)."""
import math
import multiprocessing
import sys
import time


def is_prime(num):
    for i in range(2, int(math.sqrt(num) + 1)):
        if num % i == 0:
            return False
    return True


def prime_num(n):
    p_nums = [num for num in range(2, n + 1) if is_prime(num) == True]
    return p_nums


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1000000
    proc = multiprocessing.current_process()
    print(f"main PID: {proc.pid}")
    start_time = time.time()
    p_nums = prime_num(n)
    end_time = time.time()
    print(f"primes {len(p_nums)} seconds {end_time - start_time:.3f}")
