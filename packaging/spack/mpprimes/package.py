# Spack recipe for mpprimes (packaging/README.md says how to use it).
#
# tests/integration/packaging.py (ctest integration_packaging) loads this
# file with a stand-in for spack.package, checks that every option() of
# CMakeLists.txt has a variant here, and builds, installs and runs the
# project with the arguments cmake_args() returns, under Open MPI and MPICH.

import re

from spack.package import *


class Mpprimes(CMakePackage):
    """Finds prime numbers with MPI: counts or lists the primes of any range
    inside [0, 2^64 - 1] with a segmented sieve of Eratosthenes (or trial
    division, for teaching) split among the ranks, and prints a report of
    what each rank did and how long it took."""

    # PLACEHOLDERS: the project's web page and git URL go here; there is no
    # public address yet, and example.org is not it.
    homepage = "https://example.org/mpprimes"
    git = "https://example.org/mpprimes.git"

    # PLACEHOLDER: the GitHub handles of the maintainers go here.
    maintainers("mpprimes-maintainers")

    # No license() directive: the repository does not state a license yet.

    version("main", branch="main")
    # No release tarball, so no sha256: the release is the git tag.
    version("0.1.0", tag="v0.1.0")

    # The options of CMakeLists.txt (MPPRIMES_FUZZ, clang/libFuzzer only, is
    # left to developers; its default OFF is what a package wants).
    variant("tests", default=False,
            description="Build the unit and integration tests (MPPRIMES_TESTS; needs Check)")
    variant("werror", default=False,
            description="Treat compiler warnings as errors (MPPRIMES_WERROR)")
    variant("sanitize", default=False,
            description="Build with -fsanitize=address,undefined (MPPRIMES_SANITIZE)")

    # Spack >= 0.23 gets the C compiler through this language dependency.
    depends_on("c", type="build")
    depends_on("mpi")
    depends_on("cmake@3.18:", type="build")
    depends_on("pkgconfig", type="build", when="+tests")
    depends_on("check", type=("build", "link"), when="+tests")
    # tests/CMakeLists.txt: find_package(Python3 REQUIRED COMPONENTS Interpreter)
    depends_on("python@3:", type=("build", "test"), when="+tests")

    def cmake_args(self):
        return [
            self.define_from_variant("MPPRIMES_TESTS", "tests"),
            self.define_from_variant("MPPRIMES_WERROR", "werror"),
            self.define_from_variant("MPPRIMES_SANITIZE", "sanitize"),
            self.define("MPI_C_COMPILER", self.spec["mpi"].mpicc),
        ]

    def check(self):
        """Build-time tests (spack install --test=root, +tests only): the
        unit tests of Check, without the long ones. The integration tests
        want root for some cases, Slurm, primesieve and more
        (docs/reference.md); test_self_test checks the installation."""
        if "+tests" not in self.spec:
            return
        with working_dir(self.builder.build_directory):
            # About 440 s one test at a time, 230 s with -j 2 on 2 cores.
            ctest("-L", "unit", "-LE", "long", "--output-on-failure", "-j", str(make_jobs))

    def test_count(self):
        """mpirun -np 2 mpprimes --count 1000000 finds the 78498 primes"""
        mpirun = Executable(self.spec["mpi"].prefix.bin.mpirun)
        out = mpirun("-np", "2", self.prefix.bin.mpprimes, "--count", "1000000",
                     output=str, error=str)
        assert re.search(r"^# primes +78498$", out, re.M), out

    def test_version(self):
        """mpprimes --version names the program and its MPI library"""
        mpprimes = Executable(self.prefix.bin.mpprimes)
        out = mpprimes("--version", output=str, error=str)
        lines = out.splitlines()
        assert lines and lines[0].startswith("mpprimes "), out
        assert any(line.startswith("MPI: ") for line in lines), out

    def test_self_test(self):
        """mpirun -np 2 mpprimes --self-test: every check passes"""
        mpirun = Executable(self.spec["mpi"].prefix.bin.mpirun)
        out = mpirun("-np", "2", self.prefix.bin.mpprimes, "--self-test", output=str, error=str)
        assert re.search(r"^# self-test passed: (\d+) of \1 checks passed", out, re.M), out
