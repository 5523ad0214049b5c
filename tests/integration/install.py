#!/usr/bin/env python3
"""cmake --install: what it puts where, the installed binary at work, and
its manual page, rendered and against --help.

    install.py --binary build/mpprimes --mpiexec mpirun --source-dir . \\
               [--build-dir build] [--cmake cmake]

`cmake --install BUILD_DIR --prefix TMP` (BUILD_DIR: --build-dir, else the
binary's directory) into a temporary directory, then the cases:

  * install: cmake --install succeeds;
  * paths: bin/mpprimes (executable), share/man/man1/mpprimes.1, every file
    of slurm/ and hostfiles/ under share/mpprimes/ (the same bytes; the batch
    scripts executable), share/doc/mpprimes/README.md and docs/*.md under
    share/doc/mpprimes/docs/;
  * doc links: every relative link of an installed document to a document or
    an image (.md, .png, .svg) resolves in the installed tree;
  * version: the installed binary's `--version` starts with "mpprimes
    VERSION", VERSION from project() in CMakeLists.txt, and the man page's
    .TH names the same version;
  * count: `mpirun -np 2 INSTALLED --count 1000000` reports 78498 primes;
  * man -l: `man --warnings=w -l` renders the installed page with exit 0 and
    nothing on stderr (groff's warnings included), and the text has the
    sections NAME, SYNOPSIS, OPTIONS, EXIT STATUS, ENVIRONMENT, EXAMPLES;
  * groff -ww: `groff -man -ww -z -t` of the page: exit 0, nothing on stderr;
  * options drift: the long (--xxx) and short (-x) options of the installed
    binary's --help (its Options section) are those of the .TP tags of the
    page's OPTIONS section, both differences named;
  * environment drift: every variable named in --help's Environment section
    is named in the page's ENVIRONMENT section.

man and groff come from man-db and groff-base (scripts/install-deps.sh
--test); without them their cases are skipped, and fail under CI=true.

Python 3 standard library only.
"""
import argparse
import filecmp
import os
import re
import shutil
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Runner, Suite, add_program_args, expect,  # noqa: E402
                     expect_success, run, unavailable)
from reference import report_value  # noqa: E402

TIMEOUT_TOOL = 120   # seconds for cmake --install, man, groff
SECTIONS = ("NAME", "SYNOPSIS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES")
MAN_PAGE = os.path.join("share", "man", "man1", "mpprimes.1")
DATA_DIR = os.path.join("share", "mpprimes")
DOC_DIR = os.path.join("share", "doc", "mpprimes")

LONG_OPT = re.compile(r"(?<![\w-])--[A-Za-z0-9][\w-]*")
SHORT_OPT = re.compile(r"(?<![\w-])-[A-Za-z0-9](?![\w-])")
ENV_VAR = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Za-z0-9]+)+\b")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


class Install:
    """The temporary installation: its prefix, and whether cmake made it."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.done = False

    def path(self, *parts):
        expect(self.done, "nothing installed: cmake --install failed (see the case 'install')")
        return os.path.join(self.prefix, *parts)


def need_tool(name):
    """The path of program NAME; the case is skipped without it (failed
    under CI: install-deps.sh --test installs it)."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (man-db, groff-base: scripts/install-deps.sh "
                    "--test)", "it must run")
    return path


def project_version(source_dir):
    with open(os.path.join(source_dir, "CMakeLists.txt")) as f:
        m = re.search(r"project\s*\(\s*mpprimes\s+VERSION\s+([0-9][0-9.]*)", f.read())
    expect(m, "no project(mpprimes VERSION ...) in CMakeLists.txt")
    return m.group(1)


# ---------------------------------------------------------------------------
# --help and roff, as text


def help_sections(text):
    """--help's sections: {"Options": [lines], "Environment": [lines], ...},
    a section being the lines after a heading line "Name:" at column 0."""
    sections, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):$", line)
        if m:
            current = sections.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line)
    return sections


def help_options(text):
    """The options --help defines: in its Options section, the lines that
    start, indented by at most 8 spaces, with '-' (continuation lines are
    indented further); from each, the option part before its description
    (two spaces)."""
    lines = help_sections(text).get("Options")
    expect(lines, f"no 'Options:' section in --help: {text[:300]!r}")
    found = set()
    for line in lines:
        if not re.match(r"^ {1,8}-", line):
            continue
        spec = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        found.update(LONG_OPT.findall(spec))
        found.update(SHORT_OPT.findall(spec))
    return found


def help_environment(text):
    """Every variable named in --help's Environment section."""
    lines = help_sections(text).get("Environment")
    expect(lines, f"no 'Environment:' section in --help: {text[:300]!r}")
    return set(ENV_VAR.findall("\n".join(lines)))


ROFF_CHARS = {"ha": "^", "ti": "~", "dq": '"', "aq": "'", "bu": "*", "em": "--",
              "en": "-", "lq": '"', "rq": '"', "oq": "'", "cq": "'"}


def roff_unescape(s):
    """The text of roff S: fonts and zero-width escapes dropped, \\- as -,
    special characters as ASCII."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        i += 2
        if e == "f":                                   # \fB, \f(CW, \f[BI]
            if s[i:i + 1] == "(":
                i += 3
            elif s[i:i + 1] == "[":
                i = s.find("]", i) + 1 or len(s)
            else:
                i += 1
        elif e == "(":                                 # \(xx
            out.append(ROFF_CHARS.get(s[i:i + 2], ""))
            i += 2
        elif e == "[":                                 # \[name]
            j = s.find("]", i)
            j = len(s) if j < 0 else j
            out.append(ROFF_CHARS.get(s[i:j], ""))
            i = j + 1
        elif e in "%&:c":
            pass
        elif e in " ~0|^":
            out.append(" ")
        elif e == "e":
            out.append("\\")
        elif e == '"':                                 # a comment: the rest of the line
            break
        else:                                          # \- and the like
            out.append(e)
    return "".join(out)


def roff_args(s):
    """The arguments of a macro line's rest S: split at spaces, "quoted"
    arguments kept whole, escapes (\\ ) never split."""
    args, cur, quoted, any_ = [], [], False, False
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            any_ = True
            continue
        if c == '"':
            if quoted and s[i + 1:i + 2] == '"':
                cur.append('"')
                i += 2
                continue
            quoted = not quoted
            any_ = True
        elif c in " \t" and not quoted:
            if any_:
                args.append("".join(cur))
            cur, any_ = [], False
        else:
            cur.append(c)
            any_ = True
        i += 1
    if any_:
        args.append("".join(cur))
    return args


FONT_JOIN = {"B": " ", "I": " ", "SM": " ", "SB": " ",
             "BR": "", "RB": "", "BI": "", "IB": "", "IR": "", "RI": ""}


def roff_line_text(line):
    """The text a line of a man(7) page contributes: a text line unescaped,
    a font macro's arguments joined as it joins them, nothing for other
    requests and macros."""
    if line.startswith((".", "'")):
        m = re.match(r"^[.']\s*(\S+)\s*(.*)$", line)
        if not m or m.group(1) not in FONT_JOIN:
            return ""
        return roff_unescape(FONT_JOIN[m.group(1)].join(roff_args(m.group(2))))
    return roff_unescape(line)


def man_sections(source):
    """The page's sections: {"OPTIONS": [source lines], ...}, by .SH."""
    sections, current = {}, None
    for line in source.splitlines():
        m = re.match(r"^\.SH\s+(.*)$", line)
        if m:
            name = " ".join(roff_args(m.group(1)))
            current = sections.setdefault(roff_unescape(name), [])
        elif current is not None:
            current.append(line)
    return sections


def man_tags(lines):
    """The tags of the .TP (and .TQ) paragraphs of LINES, as text: the line
    after each, comments skipped; and .IP's first argument."""
    tags, want = [], False
    for line in lines:
        if re.match(r"^\.\\\"", line):
            continue
        if want:
            tags.append(roff_line_text(line))
            want = False
        elif re.match(r"^\.(TP|TQ)\b", line):
            want = True
        else:
            m = re.match(r"^\.IP\s+(.*)$", line)
            if m and roff_args(m.group(1)):
                tags.append(roff_unescape(roff_args(m.group(1))[0]))
    return tags


def man_options(source):
    """The options the page's OPTIONS section documents: those in its tags."""
    lines = man_sections(source).get("OPTIONS")
    expect(lines, "no .SH OPTIONS in the man page")
    found = set()
    for tag in man_tags(lines):
        found.update(LONG_OPT.findall(tag))
        found.update(SHORT_OPT.findall(tag))
    return found


def man_section_text(source, name):
    lines = man_sections(source).get(name)
    expect(lines is not None, f"no .SH {name} in the man page")
    return "\n".join(roff_line_text(line) for line in lines)


# ---------------------------------------------------------------------------
# Cases


def case_install(args, inst):
    cmake = args.cmake or shutil.which("cmake")
    expect(cmake, "no cmake on PATH (--cmake names one)")
    expect(os.path.isfile(os.path.join(args.build_dir, "cmake_install.cmake")),
           f"{args.build_dir} is no CMake build directory (no cmake_install.cmake)")
    env = dict(os.environ)
    env.pop("DESTDIR", None)  # the files go under --prefix, nowhere else
    res = run([cmake, "--install", args.build_dir, "--prefix", inst.prefix],
              TIMEOUT_TOOL, env=env)
    expect_success(res)
    inst.done = True


def expect_same_files(src_dir, dst_dir, executable=()):
    """Every file of SRC_DIR is in DST_DIR with the same bytes, those named
    in EXECUTABLE executable."""
    expect(os.path.isdir(dst_dir), f"no {dst_dir}")
    names = sorted(n for n in os.listdir(src_dir) if os.path.isfile(os.path.join(src_dir, n)))
    expect(names, f"nothing in {src_dir}")
    for name in names:
        dst = os.path.join(dst_dir, name)
        expect(os.path.isfile(dst), f"not installed: {dst}")
        expect(filecmp.cmp(os.path.join(src_dir, name), dst, shallow=False),
               f"{dst} differs from {os.path.join(src_dir, name)}")
        if name in executable:
            expect(os.access(dst, os.X_OK), f"{dst} is not executable")


def case_paths(args, inst):
    binary = inst.path("bin", "mpprimes")
    expect(os.path.isfile(binary) and os.access(binary, os.X_OK),
           f"no executable {binary}")
    page = inst.path(MAN_PAGE)
    expect(os.path.isfile(page), f"no {page}")
    src = args.source_dir
    slurm = os.path.join(src, "slurm")
    expect_same_files(slurm, inst.path(DATA_DIR, "slurm"),
                      executable=[n for n in os.listdir(slurm)
                                  if os.stat(os.path.join(slurm, n)).st_mode & stat.S_IXUSR])
    expect_same_files(os.path.join(src, "hostfiles"), inst.path(DATA_DIR, "hostfiles"))
    readme = inst.path(DOC_DIR, "README.md")
    expect(os.path.isfile(readme), f"no {readme}")
    docs = os.path.join(src, "docs")
    for name in sorted(os.listdir(docs)):
        if name.endswith(".md"):
            path = inst.path(DOC_DIR, "docs", name)
            expect(os.path.isfile(path), f"not installed: {path}")


def case_doc_links(inst):
    root = inst.path(DOC_DIR)
    broken, checked = [], 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for target in MD_LINK.findall(text):
                target = target.split("#", 1)[0]
                if not target or re.match(r"^[a-z]+:", target) or \
                        not target.lower().endswith((".md", ".png", ".svg")):
                    continue
                checked += 1
                if not os.path.exists(os.path.normpath(os.path.join(dirpath, target))):
                    broken.append(f"{os.path.relpath(path, root)} -> {target}")
    expect(checked, f"no links to documents or images found under {root}")
    expect(not broken, f"{len(broken)} broken link(s) in the installed documents: "
           + ", ".join(broken))


def case_version(args, inst, runner):
    version = project_version(args.source_dir)
    inst.path("bin", "mpprimes")
    res = runner.mpprimes(["--version"], buffer=False)
    expect_success(res)
    first = res.out.splitlines()[0] if res.out else ""
    expect(first == f"mpprimes {version}",
           f"--version's first line is {first!r}, expected 'mpprimes {version}'")
    with open(inst.path(MAN_PAGE)) as f:
        th = re.search(r"^\.TH\s+(.*)$", f.read(), re.M)
    expect(th, "no .TH in the man page")
    th_args = [roff_unescape(a) for a in roff_args(th.group(1))]
    expect(len(th_args) >= 4 and th_args[3] == f"mpprimes {version}",
           f".TH names {th_args[3:4]}, expected 'mpprimes {version}' "
           "(update docs/mpprimes.1's .TH with the version)")


def case_count(inst, runner):
    inst.path("bin", "mpprimes")
    res = runner.mpprimes(["--count", "1000000"], np=2, buffer=False)
    expect_success(res)
    expect(report_value(res.out, "primes") == "78498",
           f"primes {report_value(res.out, 'primes')}, expected 78498")
    expect(report_value(res.out, "ranks") == "2",
           f"ranks {report_value(res.out, 'ranks')}, expected 2")
    expect(re.search(r"^# range +\[2, 1000000\]$", res.out, re.M),
           f"no '# range [2, 1000000]' line: {res.out[:400]!r}")


def case_man(inst):
    man = need_tool("man")
    need_tool("groff")
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat",
               # man-db's seccomp sandbox of groff fails in some containers;
               # the page is ours, so it needs no sandbox
               MAN_DISABLE_SECCOMP="1")
    env.pop("MAN_KEEP_FORMATTING", None)
    res = run([man, "--warnings=w", "-l", inst.path(MAN_PAGE)], TIMEOUT_TOOL, env=env)
    expect_success(res)
    expect(res.stderr == "", f"man wrote to stderr: {res.stderr[:1500]!r}")
    text = re.sub(r".\x08", "", res.out)   # overstrikes, had they been kept
    missing = [s for s in SECTIONS if not re.search(rf"^{s}$", text, re.M)]
    expect(not missing, f"sections missing from the rendered page: {', '.join(missing)}")


def case_groff(inst):
    groff = need_tool("groff")
    res = run([groff, "-man", "-ww", "-z", "-t", inst.path(MAN_PAGE)], TIMEOUT_TOOL,
              env=dict(os.environ, LC_ALL="C.UTF-8"))
    expect_success(res)
    expect(res.stderr == "", f"groff warned: {res.stderr[:1500]!r}")


def installed_help(inst, runner):
    inst.path("bin", "mpprimes")
    res = runner.mpprimes(["--help"], buffer=False)
    expect_success(res)
    return res.out


def case_options(inst, runner):
    in_help = help_options(installed_help(inst, runner))
    with open(inst.path(MAN_PAGE)) as f:
        in_page = man_options(f.read())
    expect(in_help, "no options found in --help")
    only_help = sorted(in_help - in_page)
    only_page = sorted(in_page - in_help)
    problems = []
    if only_help:
        problems.append("in --help but not in the man page's OPTIONS: " + ", ".join(only_help))
    if only_page:
        problems.append("in the man page's OPTIONS but not in --help: " + ", ".join(only_page))
    expect(not problems, "; ".join(problems))


def case_environment(inst, runner):
    in_help = help_environment(installed_help(inst, runner))
    expect(in_help, "no variables found in --help's Environment section")
    with open(inst.path(MAN_PAGE)) as f:
        text = man_section_text(f.read(), "ENVIRONMENT")
    missing = sorted(v for v in in_help
                     if not re.search(rf"(?<![\w]){re.escape(v)}(?![\w])", text))
    expect(not missing, "in --help's Environment but not in the man page's ENVIRONMENT: "
           + ", ".join(missing))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(ap)
    ap.add_argument("--build-dir", help="the CMake build directory to install "
                    "(default: the binary's directory)")
    ap.add_argument("--cmake", help="the cmake to install with (default: cmake on PATH)")
    args = ap.parse_args()
    args.source_dir = os.path.abspath(args.source_dir)
    args.build_dir = os.path.abspath(args.build_dir or os.path.dirname(
        os.path.abspath(args.binary)))
    suite = Suite()
    with tempfile.TemporaryDirectory(prefix="mpprimes-install-") as tmp:
        inst = Install(os.path.join(tmp, "prefix"))
        runner = Runner(os.path.join(inst.prefix, "bin", "mpprimes"), args.mpiexec,
                        args.source_dir)
        suite.case("install", case_install, args, inst)
        suite.case("paths", case_paths, args, inst)
        suite.case("doc links", case_doc_links, inst)
        suite.case("version", case_version, args, inst, runner)
        suite.case("count", case_count, inst, runner)
        suite.case("man -l", case_man, inst)
        suite.case("groff -ww", case_groff, inst)
        suite.case("options drift", case_options, inst, runner)
        suite.case("environment drift", case_environment, inst, runner)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
