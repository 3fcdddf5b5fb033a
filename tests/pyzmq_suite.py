"""pyzmq's own test suite on libzmq and on modzmq (run by
tests/check_pyzmq.sh, which gives the environments).

Each test file of the installed pyzmq (Debian's python3-zmq ships them in
zmq/tests) runs under pytest twice: on the system's libzmq and on this
build's libzmq.so.5. Each run proves from /proc/self/maps which library
pyzmq mapped (tests/pyzmq_library.py). Outcomes are compared test by test:
every test that passes on libzmq must pass on modzmq, unless KNOWN_FAILURES
names it with the behaviour modzmq still lacks. A test that passed on
libzmq and failed on modzmq runs once more, alone, on modzmq; one that then
passes is reported as unsteady, not failed, since several of pyzmq's tests
sleep for a fixed time and can lose a race on a loaded machine.

Usage: pyzmq_suite.py SCRATCH_DIR MODZMQ_LIBS_DIR
with the modzmq environment (LD_LIBRARY_PATH, MODZMQ_PLUGIN_PATH, any
LD_PRELOAD) in MODZMQ_ENV_* variables, as check_pyzmq.sh sets them.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

PYTHON = sys.executable
# pytest-timeout ends a test stuck in Python; a file stuck where no signal
# gets through is ended by the per-file limit, and its tests count as
# failed on that library.
TEST_TIMEOUT_S = 90
FILE_TIMEOUT_S = 600

# Files that cannot run on either library here, and why.
SKIPPED_FILES = {
    "test_cython.py": "compiles a Cython extension at run time "
    "(needs pyximport and Cython, not installed on either side)",
}

# Tests that pass on libzmq and still fail on modzmq, each with the
# behaviour that is missing (owned by other work on issue 11): remove a
# line once that behaviour is there.
KNOWN_FAILURES = {}


def environments(scratch):
    """The environment of each side, and the library path it must map."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "MODZMQ_PLUGIN_PATH")
        and not k.startswith("MODZMQ_ENV_")
    }
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    here = os.path.dirname(os.path.abspath(__file__))
    base["PYTHONPATH"] = here + (
        ":" + base["PYTHONPATH"] if base.get("PYTHONPATH") else ""
    )
    libzmq = dict(base)
    modzmq = dict(base)
    modzmq["LD_LIBRARY_PATH"] = os.environ["MODZMQ_ENV_LD_LIBRARY_PATH"]
    modzmq["MODZMQ_PLUGIN_PATH"] = os.environ["MODZMQ_ENV_PLUGIN_PATH"]
    if os.environ.get("MODZMQ_ENV_LD_PRELOAD"):
        modzmq["LD_PRELOAD"] = os.environ["MODZMQ_ENV_LD_PRELOAD"]
        asan = base.get("ASAN_OPTIONS", "")
        # Python's own allocations are not ours to report.
        modzmq["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=0"
    return {"libzmq": libzmq, "modzmq": modzmq}


def tests_dir(env):
    out = subprocess.run(
        [PYTHON, "-c", "import os, zmq.tests; print(os.path.dirname(zmq.tests.__file__))"],
        env=env, capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


def outcomes_from_junit(path, stem):
    """{test id: 'passed' | 'failed' | 'skipped'} from pytest's junit file."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        inside = parts[parts.index(stem) + 1:] if stem in parts else parts[-1:]
        test_id = "::".join([stem + ".py"] + inside + [case.get("name")])
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            outcome = "failed"
        elif "skipped" in tags:
            outcome = "skipped"
        else:
            outcome = "passed"
        # A test that passed but failed its teardown appears twice.
        if results.get(test_id) != "failed":
            results[test_id] = outcome
    return results


def run_pytest(env, targets, scratch, tag):
    """Runs pytest on targets; returns (outcomes, mapped libraries, note)."""
    junit = os.path.join(scratch, tag + ".xml")
    maps = os.path.join(scratch, tag + ".maps")
    log = os.path.join(scratch, tag + ".log")
    for stale in (junit, maps):
        if os.path.exists(stale):
            os.unlink(stale)
    env = dict(env, MODZMQ_PYZMQ_MAPS=maps)
    command = [
        # pytest-asyncio, where installed, changes how pyzmq's coroutine
        # tests run; they are written for pytest without it.
        PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:asyncio",
        "-p", "pyzmq_library",
        "-q", "-rN", "--rootdir", scratch, "-c", os.devnull,
        "--timeout", str(TEST_TIMEOUT_S), "--junitxml", junit,
    ] + targets
    note = ""
    with open(log, "w") as out:
        try:
            subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                           cwd=scratch, timeout=FILE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            note = "timed out after %d s" % FILE_TIMEOUT_S
    mapped = open(maps).read().split() if os.path.exists(maps) else []
    stem = os.path.basename(targets[0]).split("::")[0][:-3]
    outcomes = outcomes_from_junit(junit, stem) if os.path.exists(junit) else {}
    if not outcomes and not note:
        note = "no results (see %s)" % log
    report = sanitizer_report(log)
    if report:
        note = (note + "; " if note else "") + report
    return outcomes, mapped, note


# What a sanitizer runtime preloaded into the modzmq runs prints for a
# finding; ThreadSanitizer's do not stop the process, so the log is read.
SANITIZER_REPORTS = ("WARNING: ThreadSanitizer:", "ERROR: AddressSanitizer:",
                     "runtime error:", "ERROR: LeakSanitizer:")


def sanitizer_report(log):
    """The first line of a sanitizer report in log, or None."""
    with open(log, errors="replace") as lines:
        for line in lines:
            if any(marker in line for marker in SANITIZER_REPORTS):
                return line.strip()
    return None


def node_id(directory, test_id):
    return os.path.join(directory, test_id)


def count(outcomes):
    values = list(outcomes.values())
    return {k: values.count(k) for k in ("passed", "failed", "skipped")}


def main():
    scratch, modzmq_libs = sys.argv[1], os.path.realpath(sys.argv[2])
    envs = environments(scratch)
    directory = tests_dir(envs["libzmq"])
    files = sorted(f for f in os.listdir(directory)
                   if f.startswith("test_") and f.endswith(".py"))
    print("pyzmq's tests in %s: %d files" % (directory, len(files)))
    for name, why in SKIPPED_FILES.items():
        print("skipped file %s: %s" % (name, why))

    expected_lib = {"libzmq": "/usr/lib/", "modzmq": modzmq_libs + "/"}
    totals = {side: {} for side in envs}
    problems = []
    for name in files:
        if name in SKIPPED_FILES:
            continue
        row = []
        for side, env in envs.items():
            outcomes, mapped, note = run_pytest(
                env, [os.path.join(directory, name)], scratch, side)
            if mapped and not all(m.startswith(expected_lib[side]) for m in mapped):
                problems.append("%s on %s mapped %s" % (name, side, " ".join(mapped)))
            if not mapped:
                problems.append("%s on %s: no libzmq mapped (%s)" % (name, side, note))
            if side == "modzmq" and sanitizer_report(
                    os.path.join(scratch, side + ".log")):
                problems.append("%s on modzmq: %s" % (name, note))
            for test_id, outcome in outcomes.items():
                totals[side][test_id] = outcome
            c = count(outcomes)
            row.append("%s %3d passed %2d failed %2d skipped%s" % (
                side, c["passed"], c["failed"], c["skipped"],
                " (" + note + ")" if note else ""))
        print("%-24s %s | %s" % (name, row[0], row[1]), flush=True)

    # Every test that passed on libzmq must pass on modzmq.
    lost = sorted(t for t, o in totals["libzmq"].items()
                  if o == "passed" and totals["modzmq"].get(t) != "passed")
    unsteady, known, failed = [], [], []
    for test_id in lost:
        if test_id in KNOWN_FAILURES:
            known.append(test_id)
            continue
        again, _, _ = run_pytest(envs["modzmq"], [node_id(directory, test_id)],
                                 scratch, "retry")
        if again.get(test_id) == "passed":
            unsteady.append(test_id)
        else:
            failed.append(test_id)
    gained = sorted(t for t, o in totals["modzmq"].items()
                    if o == "passed" and totals["libzmq"].get(t) != "passed")

    for side in envs:
        c = count(totals[side])
        print("%s: %d passed, %d failed, %d skipped" % (
            side, c["passed"], c["failed"], c["skipped"]))
    for test_id in gained:
        print("passes on modzmq only: %s (libzmq: %s)" % (
            test_id, totals["libzmq"].get(test_id, "not run")))
    for test_id in unsteady:
        print("UNSTEADY: %s failed on modzmq, then passed alone" % test_id)
    for test_id in known:
        print("known failure: %s: %s" % (test_id, KNOWN_FAILURES[test_id]))
    for test_id in failed:
        print("FAILED: %s passes on libzmq, fails on modzmq" % test_id)
    for problem in problems:
        print("FAILED: %s" % problem)
    for test_id in KNOWN_FAILURES:
        if test_id not in known:
            print("note: known failure %s no longer fails" % test_id)

    passed_libzmq = sum(1 for o in totals["libzmq"].values() if o == "passed")
    if not passed_libzmq:
        problems.append("no test passed on libzmq")
        print("FAILED: no test passed on libzmq")
    kept = passed_libzmq - len(lost) + len(unsteady)
    print("of the %d tests that pass on libzmq, %d pass on modzmq, "
          "%d are known failures, %d fail" % (
              passed_libzmq, kept, len(known), len(failed)))
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
