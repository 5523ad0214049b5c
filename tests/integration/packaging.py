#!/usr/bin/env python3
"""The packaging recipes of packaging/: the Spack recipe's CMake arguments
built, installed and run; the EasyBuild easyconfig against that install.

    packaging.py --binary build/mpprimes --mpiexec mpirun --source-dir . [--cmake cmake]

Neither Spack nor EasyBuild is needed. packaging/spack/mpprimes/package.py is
loaded with a stand-in for spack.package (make_spack_stub(): CMakePackage
whose define() and define_from_variant() format arguments as Spack's do,
"-DX:BOOL=ON", "-DX:STRING=value"; the directives record what they declare;
a Spec that answers "+tests" in spec and spec["mpi"].mpicc). The cases:

  * recipe: it declares depends_on("mpi") and its build dependencies, the
    versions main (the branch) and the project's version (a tag), and a
    boolean variant for every option(MPPRIMES_...) of the project's
    CMakeLists.txt files except MPPRIMES_FUZZ (a new option without a
    variant fails), none for options that do not exist; cmake_args() of
    each variant combination is one -D per option plus MPI_C_COMPILER.
  * build: for the variants default, +werror and +tests (but MPICH
    +tests, NOT_BUILT), and the MPI providers Open MPI (mpicc, and --mpiexec when it is Open MPI's, else
    mpirun.openmpi) and MPICH (mpicc.mpich, mpirun.mpich; skipped when not
    installed, a failure under CI=true):
    cmake -S SOURCE -B BUILD -DCMAKE_BUILD_TYPE=Release ARGS, the cache
    holding what ARGS said, a build (-j2), cmake --install --prefix; the
    installed mpprimes under the matching mpirun with -np 2 --count 1000000
    finds 78498 primes on 2 ranks, and --version names the version of
    --binary and the right MPI library; test executables were built with
    +tests only, -Werror is in the compile flags with +werror only. Then the
    recipe's stand-alone tests (its test_* methods, as `spack test run`
    calls them) on that installation.
  * easyconfig: packaging/easybuild/*.eb runs as Python; its name, version,
    toolchain, easyblock and moduleclass, and its file name, are as
    EasyBuild names them; configopts names only options of CMakeLists.txt;
    sanity_check_paths exist in the Open MPI default installation above,
    and sanity_check_commands succeed with its bin/ on PATH.

The builds go to a temporary directory (spack-test-* under TMPDIR), removed
at the end. On 2 cores shared with other work (load 4 to 6) the five builds
and their runs take 80 to 100 s, the +tests build half of it.
"""
import argparse
import contextlib
import glob
import importlib.util
import os
import re
import shlex
import shutil
import sys
import tempfile
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (CaseFailure, Interrupted, Runner, Suite,  # noqa: E402
                     add_program_args, expect, expect_success,
                     interrupt_on_signals, mpi_env, run, unavailable)

PRIMES_BELOW_1E6 = 78498
TIMEOUT_CMAKE = 300       # seconds for one configure, build or install
TIMEOUT_RUN = 60
BUILD_JOBS = "2"

# The options a recipe leaves to developers (no variant).
NO_VARIANT = {"MPPRIMES_FUZZ"}

# The variant combinations built: name, variant values over the defaults.
COMBINATIONS = [
    ("default", {}),
    ("+werror", {"werror": True}),
    ("+tests", {"tests": True}),
]

# Combinations not built, and why: the unit tests link no MPI, so +tests
# under MPICH builds what it does under Open MPI again (18 s alone on 2
# cores, 35 to 95 s on a loaded machine).
NOT_BUILT = {("mpich", "+tests"): "the test executables link no MPI: Open MPI's "
             "+tests build covers them (saves 18-95 s)"}

OPTION = re.compile(r"^\s*option\s*\(\s*(MPPRIMES_\w+)", re.M | re.I)


# ---------------------------------------------------------------------------
# A stand-in for spack.package, just enough for package.py


def make_spack_stub():
    """A module to install as spack.package: what the recipe uses of Spack's
    package API, with define()/define_from_variant() as Spack formats them,
    and directives that record their arguments on the package class."""
    mod = types.ModuleType("spack.package")
    pending = []        # (kind, args, kwargs) of the class body being run
    conditions = []     # the when() blocks around a directive

    def directive(kind):
        def record(*args, **kwargs):
            if conditions and kind in ("depends_on", "conflicts", "variant", "patch"):
                inner = kwargs.get("when")
                kwargs["when"] = " ".join(conditions + ([inner] if inner else []))
            pending.append((kind, args, kwargs))
        record.__name__ = kind
        return record

    @contextlib.contextmanager
    def when(condition):
        conditions.append(condition)
        try:
            yield
        finally:
            conditions.pop()

    class Prefix(str):
        """A path whose attributes are the paths under it (prefix.bin.x)."""

        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return Prefix(os.path.join(self, name))

        def join(self, name):
            return Prefix(os.path.join(self, name))

    class ProcessError(Exception):
        pass

    class Executable:
        """spack.util.executable.Executable: runs the program, raises
        ProcessError on a non-zero exit; output=str / error=str return the
        text (both: stdout then stderr), str.split its lines."""
        env = None      # the environment of every run (set by the test)

        def __init__(self, path):
            self.path = str(path)

        def __call__(self, *args, output=None, error=None, fail_on_error=True,
                     timeout=TIMEOUT_RUN, **_ignored):
            cmd = [self.path] + [str(a) for a in args]
            res = run(cmd, timeout, env=Executable.env)
            if fail_on_error and (res.timed_out or res.rc != 0):
                raise ProcessError(res.describe())
            text = ""
            if output in (str, str.split):
                text += res.out
            if error in (str, str.split):
                text += res.stderr
            if output is str.split or error is str.split:
                return text.split("\n")
            return text if (output is str or error is str) else None

    def which(*names, path=None, required=False):
        for name in names:
            found = shutil.which(name, path=path)
            if found:
                return Executable(found)
        if required:
            raise ProcessError(f"none of {names} found")
        return None

    @contextlib.contextmanager
    def working_dir(path, create=False):
        if create:
            os.makedirs(path, exist_ok=True)
        old = os.getcwd()
        os.chdir(path)
        try:
            yield
        finally:
            os.chdir(old)

    class VariantValue:
        def __init__(self, name, value):
            self.name, self.value = name, value

    class Spec:
        """What the recipe asks of its spec: "+v" / "~v" in spec,
        satisfies(), spec.variants[v].value, spec["mpi"] (a provider with
        mpicc and prefix), spec.version, spec.name."""

        def __init__(self, name, version, variants, deps):
            self.name = name
            self.version = version
            self.variants = {k: VariantValue(k, v) for k, v in variants.items()}
            self._deps = deps

        def satisfies(self, constraint):
            for token in constraint.split():
                m = re.fullmatch(r"([+~])(\w+)", token)
                if not m:
                    raise ValueError(f"the stub Spec cannot answer {token!r}")
                want = m.group(1) == "+"
                if m.group(2) not in self.variants or \
                        self.variants[m.group(2)].value is not want:
                    return False
            return True

        def __contains__(self, constraint):
            return self.satisfies(constraint)

        def __getitem__(self, name):
            return self._deps[name]

    def cmake_define(cmake_var, value):
        # As spack.build_systems.cmake.CMakeBuilder.define
        if isinstance(value, bool):
            kind, value = "BOOL", "ON" if value else "OFF"
        else:
            kind = "STRING"
            if isinstance(value, (list, tuple)):
                value = ";".join(str(v) for v in value)
            else:
                value = str(value)
        return "".join(["-D", cmake_var, ":", kind, "=", value])

    class CMakePackage:
        """The part of Spack's CMakePackage the recipe uses. Each subclass
        gets what its class body declared: variants (name -> kwargs),
        versions (name -> kwargs), dependencies [(spec, type tuple, when)],
        and the other directives in directives[kind]."""

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)
            cls.variants, cls.versions, cls.dependencies = {}, {}, []
            cls.directives = {}
            for kind, args, kw in pending:
                if kind == "variant":
                    cls.variants[args[0]] = kw
                elif kind == "version":
                    cls.versions[args[0]] = kw
                elif kind == "depends_on":
                    dtype = kw.get("type", ("build", "link"))
                    dtype = (dtype,) if isinstance(dtype, str) else tuple(dtype)
                    cls.dependencies.append((args[0], dtype, kw.get("when")))
                else:
                    cls.directives.setdefault(kind, []).append((args, kw))
            pending.clear()
            cls.name = cls.__name__.lower()

        def __init__(self, spec, prefix=None, build_directory=None):
            self.spec = spec
            self.prefix = Prefix(prefix or "/nonexistent-prefix")
            self.builder = types.SimpleNamespace(build_directory=build_directory)

        @classmethod
        def has_variant(cls, name):
            return name in cls.variants

        define = staticmethod(cmake_define)

        def define_from_variant(self, cmake_var, variant=None):
            # As CMakeBuilder.define_from_variant
            if variant is None:
                variant = cmake_var.lower()
            if not self.has_variant(variant):
                raise KeyError(f'"{variant}" is not a variant of "{self.name}"')
            if variant not in self.spec.variants:
                return ""
            value = self.spec.variants[variant].value
            if isinstance(value, (tuple, list)):
                value = sorted(value)
            return self.define(cmake_var, value)

        def cmake_args(self):
            return []

    names = dict(CMakePackage=CMakePackage, Prefix=Prefix, Executable=Executable,
                 ProcessError=ProcessError, which=which, working_dir=working_dir,
                 join_path=os.path.join, when=when, Spec=Spec)
    for kind in ("version", "variant", "depends_on", "conflicts", "maintainers",
                 "license", "provides", "patch", "requires", "resource"):
        names[kind] = directive(kind)
    for key, value in names.items():
        setattr(mod, key, value)
    mod.__all__ = list(names)
    return mod


def load_recipe(path):
    """(package.py's class, the stub module) with the stub as spack.package;
    sys.modules as it was afterwards."""
    stub = make_spack_stub()
    saved = {k: sys.modules.get(k) for k in ("spack", "spack.package")}
    spack = types.ModuleType("spack")
    spack.package = stub
    sys.modules["spack"], sys.modules["spack.package"] = spack, stub
    try:
        spec = importlib.util.spec_from_file_location("mpprimes_spack_recipe", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    classes = [v for v in vars(module).values() if isinstance(v, type) and
               issubclass(v, stub.CMakePackage) and v is not stub.CMakePackage]
    expect(len(classes) == 1, f"{path}: {len(classes)} CMakePackage classes")
    return classes[0], stub


# ---------------------------------------------------------------------------
# The project


def cmake_options(source_dir):
    """{option name: the CMakeLists.txt it is in} for every option(MPPRIMES_...)
    of the source tree's CMakeLists.txt files (build trees left out)."""
    found = {}
    for root, dirs, files in os.walk(source_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".") and
                   not os.path.exists(os.path.join(root, d, "CMakeCache.txt"))]
        if "CMakeLists.txt" in files:
            path = os.path.join(root, "CMakeLists.txt")
            with open(path) as f:
                for name in OPTION.findall(f.read()):
                    found[name] = os.path.relpath(path, source_dir)
    return found


def project_version(source_dir):
    with open(os.path.join(source_dir, "CMakeLists.txt")) as f:
        m = re.search(r"project\s*\(\s*mpprimes\s+VERSION\s+([\d.]+)", f.read())
    return m.group(1) if m else None


def read_cache(build):
    """CMakeCache.txt as {name: value}."""
    cache = {}
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            m = re.match(r"^([^#/][^:=]*):[A-Z]+=(.*)$", line.rstrip("\n"))
            if m:
                cache[m.group(1)] = m.group(2)
    return cache


def executables(build, prefixes):
    """The executable files under BUILD whose names start with one of PREFIXES."""
    out = []
    for root, _, files in os.walk(build):
        for name in files:
            path = os.path.join(root, name)
            if name.startswith(prefixes) and "." not in name and os.access(path, os.X_OK):
                out.append(os.path.relpath(path, build))
    return sorted(out)


def report_field(text, field):
    m = re.search(rf"^# {field} +(\S+)$", text, re.M)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------
# The MPI providers


class Provider:
    """One MPI of this machine as the recipe's spec["mpi"] sees it: mpicc
    (the wrapper's path), prefix (a directory whose bin/mpirun is this MPI's
    launcher, as in a Spack installation of it: Debian's /usr/bin/mpirun is
    Open MPI's whichever MPI built the program); and how to run under it.
    bin/mpirun and bin/mpicc exec the real ones, not links to them: Hydra
    looks for hydra_pmi_proxy beside the path it was started as."""

    def __init__(self, key, label, mpicc, mpirun, version_prefix, tmp):
        self.key, self.label = key, label
        self.mpicc, self.mpirun = mpicc, mpirun
        self.version_prefix = version_prefix   # --version's "MPI: ..." line
        self.prefix = None
        if mpicc and mpirun:
            self.prefix = os.path.join(tmp, "providers", key)
            os.makedirs(os.path.join(self.prefix, "bin"))
            for name, target in (("mpirun", mpirun), ("mpicc", mpicc)):
                path = os.path.join(self.prefix, "bin", name)
                with open(path, "w") as f:
                    f.write(f"#!/bin/sh\nexec {shlex.quote(target)} \"$@\"\n")
                os.chmod(path, 0o755)

    @property
    def available(self):
        return self.prefix is not None

    def run_np2(self, binary, source_dir, args):
        if self.key == "openmpi":
            return Runner(binary, self.mpirun, source_dir).mpprimes(args, np=2, buffer=False)
        return run([self.mpirun, "-np", "2", binary] + args, TIMEOUT_RUN, env=mpi_env())


def says(cmd, words):
    """Whether CMD runs and its output (stdout and stderr) holds one of WORDS."""
    try:
        res = run(cmd, 30, env=mpi_env())
    except OSError:
        return False
    return any(w in res.out + res.stderr for w in words)


def first(candidates, check):
    """The first of CANDIDATES (paths or names on PATH) found and passing CHECK."""
    for c in candidates:
        path = c if os.path.isabs(c) else shutil.which(c)
        if path and os.access(path, os.X_OK) and check(path):
            return path
    return None


def providers(mpiexec, tmp):
    """Open MPI and MPICH: --mpiexec is taken for the launcher of the MPI it
    is (mpiexec --version), the other one's found by its Debian names; each
    mpicc is looked for beside its launcher first, and must be that MPI's."""
    mpiexec = os.path.abspath(mpiexec)
    here = os.path.dirname(mpiexec)
    is_hydra = says([mpiexec, "--version"], ("HYDRA", "MPICH"))
    ompi_run = first(([] if is_hydra else [mpiexec]) + ["mpirun.openmpi", "mpirun"],
                     lambda p: says([p, "--version"], ("Open MPI", "OpenRTE")))
    mpich_run = first(([mpiexec] if is_hydra else []) + ["mpirun.mpich", "mpiexec.mpich"],
                      lambda p: says([p, "--version"], ("HYDRA", "MPICH")))
    ompi_cc = first([os.path.join(here, "mpicc"), os.path.join(here, "mpicc.openmpi"),
                     "mpicc", "mpicc.openmpi"],
                    lambda p: says([p, "--showme:version"], ("Open MPI",)))
    mpich_cc = first([os.path.join(here, "mpicc.mpich"), "mpicc.mpich"],
                     lambda p: says([p, "-show"], ("mpich",)))
    return [
        Provider("openmpi", "Open MPI", ompi_cc, ompi_run, "MPI: Open MPI", tmp),
        Provider("mpich", "MPICH", mpich_cc, mpich_run, "MPI: MPICH", tmp),
    ]


# ---------------------------------------------------------------------------
# Cases


class Context:
    def __init__(self, args, tmp):
        self.source = os.path.abspath(args.source_dir)
        self.binary = os.path.abspath(args.binary)
        self.tmp = tmp
        self.recipe_path = os.path.join(self.source, "packaging", "spack", "mpprimes",
                                        "package.py")
        self.eb_dir = os.path.join(self.source, "packaging", "easybuild")
        self.cls = self.stub = None
        self.installs = {}      # (provider key, combination name) -> install prefix

    def recipe(self):
        if self.cls is None:
            raise CaseFailure(f"{self.recipe_path} did not load (see the case 'recipe loads')")
        return self.cls

    def spec(self, provider, overrides):
        cls = self.recipe()
        variants = {name: kw.get("default") for name, kw in cls.variants.items()}
        variants.update(overrides)
        mpi = types.SimpleNamespace(name=provider.key, mpicc=provider.mpicc,
                                    prefix=self.stub.Prefix(provider.prefix or "/nonexistent"))
        return self.stub.Spec("mpprimes", project_version(self.source), variants, {"mpi": mpi})


def case_load(ctx):
    ctx.cls, ctx.stub = load_recipe(ctx.recipe_path)
    expect(ctx.cls.__name__ == "Mpprimes", f"the class is {ctx.cls.__name__}")
    expect((ctx.cls.__doc__ or "").strip(), "no docstring")


def case_declarations(ctx):
    cls = ctx.recipe()
    deps = {spec.split("@")[0]: (spec, set(dtype), when)
            for spec, dtype, when in cls.dependencies}
    want = {  # name: (spec, types, when)
        "mpi": ("mpi", {"build", "link"}, None),
        "cmake": ("cmake@3.18:", {"build"}, None),
        "pkgconfig": ("pkgconfig", {"build"}, "+tests"),
        "check": ("check", {"build", "link"}, "+tests"),
    }
    for name, (spec, dtype, when) in want.items():
        expect(name in deps, f'no depends_on("{spec}")')
        got = deps[name]
        expect(got[0] == spec and dtype <= got[1] and got[2] == when,
               f"depends_on {got}, expected ({spec!r}, type {sorted(dtype)}, when={when!r})")
    version = project_version(ctx.source)
    expect(cls.versions.get("main") == {"branch": "main"},
           f'version("main") is {cls.versions.get("main")}')
    expect(cls.versions.get(version, {}).get("tag") == f"v{version}",
           f"version({version!r}) (the project's) is {cls.versions.get(version)}")
    for attr in ("homepage", "git"):
        expect(isinstance(getattr(cls, attr, None), str), f"no {attr}")
    expect(cls.directives.get("maintainers"), "no maintainers()")


def case_variants(ctx):
    """A boolean variant for each option (but NO_VARIANT), none without one,
    and cmake_args() passing each."""
    cls = ctx.recipe()
    options = cmake_options(ctx.source)
    expect("MPPRIMES_TESTS" in options, f"options found: {sorted(options)}")
    missing = [f"{opt} ({where})" for opt, where in sorted(options.items())
               if opt not in NO_VARIANT and opt[len("MPPRIMES_"):].lower() not in cls.variants]
    expect(not missing, f"options without a variant in the recipe: {', '.join(missing)}")
    wanted = {opt[len("MPPRIMES_"):].lower() for opt in options}
    orphans = sorted(set(cls.variants) - wanted)
    expect(not orphans, f"variants for no option of CMakeLists.txt: {orphans}")
    for name, kw in cls.variants.items():
        expect(isinstance(kw.get("default"), bool) and kw.get("description"),
               f"variant {name}: {kw}")
    pkg = cls(ctx.spec(providers_cache[0], {}))
    args = pkg.cmake_args()
    for opt in options:
        if opt not in NO_VARIANT:
            expect(any(a.startswith(f"-D{opt}:BOOL=") for a in args),
                   f"cmake_args() does not pass {opt}: {args}")


def expected_args(ctx, provider, overrides):
    cls = ctx.recipe()
    values = {name: kw["default"] for name, kw in cls.variants.items()}
    values.update(overrides)
    want = {f"-DMPPRIMES_{name.upper()}:BOOL={'ON' if on else 'OFF'}"
            for name, on in values.items()}
    want.add(f"-DMPI_C_COMPILER:STRING={provider.mpicc}")
    return want


def case_cmake_args(ctx):
    cls = ctx.recipe()
    for provider in providers_cache:
        if not provider.available:
            continue
        for _, overrides in COMBINATIONS + [("+sanitize", {"sanitize": True})]:
            args = cls(ctx.spec(provider, overrides)).cmake_args()
            want = expected_args(ctx, provider, overrides)
            expect(len(args) == len(set(args)) and set(args) == want,
                   f"{provider.key} {overrides}: cmake_args() {args}, expected {sorted(want)}")


def need(provider):
    if provider.available:
        return
    unavailable(f"{provider.label} is not installed (its mpicc, its mpirun)",
                "every MPI must be there")


CMAKE = ["cmake"]     # --cmake; ctest is the one beside it


def ctest_command():
    beside = os.path.join(os.path.dirname(CMAKE[0]), "ctest")
    return beside if os.path.dirname(CMAKE[0]) and os.access(beside, os.X_OK) else "ctest"


def cmake(cmd, what):
    cmd = CMAKE + cmd
    res = run(cmd, TIMEOUT_CMAKE)
    if res.timed_out or res.rc != 0:
        tail = (res.out + res.stderr)[-1500:]
        raise CaseFailure(f"{what} failed: `{shlex.join(cmd)}` (exit {res.rc}): {tail}")
    return res


def case_build(ctx, provider, combo, overrides):
    need(provider)
    pkg = ctx.recipe()(ctx.spec(provider, overrides))
    args = pkg.cmake_args()
    expect(set(args) == expected_args(ctx, provider, overrides), f"cmake_args() {args}")
    tag = f"{provider.key}-{combo.strip('+')}"
    build = os.path.join(ctx.tmp, "build-" + tag)
    prefix = os.path.join(ctx.tmp, "prefix-" + tag)
    cmake(["-S", ctx.source, "-B", build, "-DCMAKE_BUILD_TYPE=Release"] + args,
          "configure")
    cache = read_cache(build)
    for arg in args:
        name, value = re.match(r"-D(\w+):\w+=(.*)", arg).groups()
        expect(cache.get(name) == value, f"the cache has {name}={cache.get(name)!r}, not {value!r}")
    cmake(["--build", build, "-j", BUILD_JOBS], "build")
    cmake(["--install", build, "--prefix", prefix], "install")

    tests = executables(build, ("test_", "fuzz_"))
    if pkg.spec.satisfies("+tests"):
        expect(any(t.startswith("tests/test_") for t in tests),
               f"+tests: no test executable in the build tree ({tests})")
        res = run([ctest_command(), "-N"], 60, cwd=build)
        m = re.search(r"Total Tests: (\d+)", res.out)
        expect(m and int(m.group(1)) > 0, f"+tests: ctest -N says {res.out[-200:]!r}")
    else:
        expect(not tests and not os.path.exists(os.path.join(build, "tests")),
               f"~tests: test executables built: {tests}")
    with open(os.path.join(build, "CMakeFiles", "mpprimes_core.dir", "flags.make")) as f:
        werror = "-Werror" in f.read().split()
    expect(werror == pkg.spec.satisfies("+werror"),
           f"-Werror {'in' if werror else 'not in'} the compile flags with "
           f"werror={pkg.spec.variants['werror'].value}")

    binary = os.path.join(prefix, "bin", "mpprimes")
    expect(os.access(binary, os.X_OK), f"not installed: {binary}")
    ctx.installs[(provider.key, combo)] = prefix
    res = provider.run_np2(binary, ctx.source, ["--count", "1000000"])
    expect_success(res)
    ranks, primes = report_field(res.out, "ranks"), report_field(res.out, "primes")
    expect(ranks == "2" and primes == str(PRIMES_BELOW_1E6),
           f"under {provider.mpirun}: ranks {ranks}, primes {primes} "
           f"(expected 2 and {PRIMES_BELOW_1E6}): {res.out[:300]!r}")

    res = run([binary, "--version"], TIMEOUT_RUN, env=mpi_env())
    expect_success(res)
    ref = run([ctx.binary, "--version"], TIMEOUT_RUN, env=mpi_env())
    expect_success(ref)
    lines = res.out.splitlines()
    expect(lines and lines[0] == ref.out.splitlines()[0],
           f"--version starts {lines[:1]}, --binary's {ref.out.splitlines()[:1]}")
    mpi_line = next((line for line in lines if line.startswith("MPI: ")), None)
    expect(mpi_line and mpi_line.startswith(provider.version_prefix),
           f"--version's MPI line is {mpi_line!r}, expected {provider.version_prefix}...")


def case_standalone(ctx, provider, combo, overrides, method):
    need(provider)
    prefix = ctx.installs.get((provider.key, combo))
    expect(prefix, f"no installation of {provider.key} {combo} (its build case failed)")
    pkg = ctx.recipe()(ctx.spec(provider, overrides), prefix=prefix)
    ctx.stub.Executable.env = mpi_env(oversubscribe=True)
    getattr(pkg, method)()


def eb_path(ctx):
    found = sorted(glob.glob(os.path.join(ctx.eb_dir, "*.eb")))
    expect(found, f"no easyconfig in {ctx.eb_dir}")
    return found


def load_eb(path):
    ns = {}
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), ns)
    return ns


def case_eb_parse(ctx):
    version = project_version(ctx.source)
    for path in eb_path(ctx):
        ec = load_eb(path)
        name = os.path.basename(path)
        for key in ("easyblock", "name", "version", "homepage", "description", "toolchain",
                    "sanity_check_paths", "moduleclass"):
            expect(key in ec, f"{name}: no {key}")
        tc = ec["toolchain"]
        expect(ec["easyblock"] == "CMakeMake" and ec["name"] == "mpprimes" and
               ec["version"] == version and tc == {"name": "gompi", "version": "2023a"} and
               ec["moduleclass"] == "math",
               f"{name}: easyblock {ec['easyblock']}, {ec['name']} {ec['version']} "
               f"(project {version}), toolchain {tc}, moduleclass {ec['moduleclass']}")
        want = f"{ec['name']}-{ec['version']}-{tc['name']}-{tc['version']}.eb"
        expect(name == want, f"the file is {name}, EasyBuild names it {want}")
        cmake_dep = [d for d in ec.get("builddependencies", []) if d[0] == "CMake"]
        expect(cmake_dep and tuple(map(int, cmake_dep[0][1].split(".")[:2])) >= (3, 18),
               f"{name}: builddependencies {ec.get('builddependencies')}")


def case_eb_configopts(ctx):
    options = cmake_options(ctx.source)
    for path in eb_path(ctx):
        ec = load_eb(path)
        opts = shlex.split(ec.get("configopts", ""))
        expect(opts, f"{os.path.basename(path)}: no configopts")
        for opt in opts:
            m = re.fullmatch(r"-D(\w+)(:BOOL)?=(ON|OFF|TRUE|FALSE|0|1)", opt, re.I)
            expect(m, f"{opt!r}: not -DOPTION=ON|OFF")
            expect(m.group(1) in options,
                   f"{opt!r}: {m.group(1)} is no option() of CMakeLists.txt "
                   f"({', '.join(sorted(options))})")


def case_eb_sanity(ctx):
    prefix = ctx.installs.get(("openmpi", "default"))
    expect(prefix, "no Open MPI default installation (its build case failed)")
    for path in eb_path(ctx):
        ec = load_eb(path)
        paths = ec["sanity_check_paths"]
        absent = [p for p in paths.get("files", [])
                  if not os.path.isfile(os.path.join(prefix, p))]
        absent += [p + "/" for p in paths.get("dirs", [])
                   if not os.path.isdir(os.path.join(prefix, p))]
        expect(not absent, f"{os.path.basename(path)}: sanity_check_paths not installed by "
               f"cmake --install: {', '.join(absent)}")
        env = mpi_env()
        env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + env.get("PATH", "")
        for command in ec.get("sanity_check_commands", []):
            res = run(["sh", "-c", command], TIMEOUT_RUN, env=env)
            expect_success(res)


providers_cache = []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(ap)
    ap.add_argument("--cmake", default="cmake", help="the cmake to build with (ctest beside it)")
    args = ap.parse_args()
    CMAKE[:] = [args.cmake]
    interrupt_on_signals()
    suite = Suite(log=lambda line: print(f"     time {line}", flush=True))
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="spack-test-") as tmp:
            ctx = Context(args, tmp)
            providers_cache[:] = providers(args.mpiexec, tmp)
            suite.case("recipe loads", case_load, ctx)
            suite.case("recipe declarations", case_declarations, ctx)
            suite.case("recipe variants cover the CMake options", case_variants, ctx)
            suite.case("recipe cmake_args", case_cmake_args, ctx)
            methods = sorted(m for m in dir(ctx.cls or object) if m.startswith("test_"))
            for provider in providers_cache:
                for combo, overrides in COMBINATIONS:
                    if (provider.key, combo) in NOT_BUILT:
                        print(f"skip build {provider.key} {combo}: "
                              f"{NOT_BUILT[provider.key, combo]}", flush=True)
                        suite.skipped += 1
                        continue
                    suite.case(f"build {provider.key} {combo}", case_build, ctx, provider,
                               combo, overrides)
                    for method in methods:
                        suite.case(f"spack test {provider.key} {combo}: {method}",
                                   case_standalone, ctx, provider, combo, overrides, method)
            suite.case("easyconfig parses", case_eb_parse, ctx)
            suite.case("easyconfig configopts", case_eb_configopts, ctx)
            suite.case("easyconfig sanity_check_paths", case_eb_sanity, ctx)
    except Interrupted as e:
        print(f"interrupted by {e}", flush=True)
        return 128 + e.signum
    print(f"     time total: {time.monotonic() - start:.1f} s", flush=True)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
