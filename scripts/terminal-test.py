#!/usr/bin/env python3
"""Runs dio-trace through a real pseudo-terminal (the pty module) and through pipes, and checks
what a terminal user sees: the progress line of `analyze` and `check` on standard error (drawn
with \\r and erase-line, erased before the report), none on a pipe or with --quiet, severity
colour on a terminal, none on a pipe or with NO_COLOR set.

Usage: scripts/terminal-test.py [path/to/dio-trace]   (default .build/debug/dio-trace)
Called by scripts/test.sh. Exit status 0 when every check holds.
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/dio-trace"))
LEAK = "Fixtures/mutants/efault-skip-release/ftrace.txt.gz"   # real M3 leak: error findings
HEALTHY = "Fixtures/kernel-6.1-qemu/dio-splice/ftrace.txt.gz"
ESC = b"\x1b"
ERASE = b"\r\x1b[K"
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def run(args, stdout_tty, stderr_tty, env_extra=None):
    """Runs dio-trace; returns (status, stdout bytes, stderr bytes). A terminal side is a pty of
    120 columns whose output is read from its master; the other side is a pipe. With both on a
    terminal they share one pty, as in a shell, and both results hold the interleaved output."""
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    env.update(env_extra or {})
    masters = {}
    slaves = {}
    if stdout_tty or stderr_tty:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        for name, wanted in (("stdout", stdout_tty), ("stderr", stderr_tty)):
            if wanted:
                masters[name], slaves[name] = master, slave
    process = subprocess.Popen([BINARY] + args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=slaves.get("stdout", subprocess.PIPE),
                               stderr=slaves.get("stderr", subprocess.PIPE))
    for slave in set(slaves.values()):
        os.close(slave)
    output = {"stdout": b"", "stderr": b""}
    # Drain the pipes on threads so neither side can block the child.
    import threading
    def drain(name, stream):
        output[name] = stream.read()
    threads = [threading.Thread(target=drain, args=(n, getattr(process, n)))
               for n in ("stdout", "stderr") if n not in masters]
    for t in threads:
        t.start()
    for master in set(masters.values()):
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:   # EIO: the child closed its side of the pty
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        for name in masters:
            output[name] = b"".join(chunks)
    for t in threads:
        t.join()
    return process.wait(), output["stdout"], output["stderr"]


def progress_frames(data, label):
    """The progress lines drawn in `data` (each after \\r ESC[K)."""
    return [part for part in data.split(ERASE)[1:] if part.startswith(label + b": ")]


def main():
    if not os.access(BINARY, os.X_OK):
        print(f"terminal-test: {BINARY} is not an executable (build first)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        # A trace long enough for several redraws: the healthy capture three times over (gzip
        # members concatenate), then the leaking capture as a second input.
        big = os.path.join(tmp, "long.txt.gz")
        with open(big, "wb") as out, open(os.path.join(ROOT, HEALTHY), "rb") as src:
            data = src.read()
            for _ in range(3):
                out.write(data)
        analyze = ["analyze", big, LEAK]

        # 1. Both sides on the terminal: progress on stderr, erased, then the coloured report.
        status, out, err = run(analyze, True, True)
        check(status == 1, f"analyze on a tty exits 1 on the leak (got {status})")
        frames = progress_frames(out, b"analyze")   # one pty: stdout and stderr interleave
        check(len(frames) >= 2, f"analyze on a tty redraws its progress line ({len(frames)} frames)")
        check(all(b"MB of" in f and b"events/s" in f for f in frames), "each frame shows bytes and events/s")
        check(any(b"ETA" in f for f in frames), "a frame shows an ETA")
        check(all(len(f.split(b"\r")[0]) < 120 for f in frames), "frames fit the 120 columns of the terminal")
        last_frame = out.rfind(b"analyze: ")
        report = out.find(b"DIO002")
        check(report > last_frame and ERASE in out[last_frame:report],
              "the progress line is erased before the report starts")
        check(b"\x1b[1;31merror:\x1b[0m DIO002" in out, "severity 'error:' is red on a terminal")

        # 2. Pipes: no progress, no escape code anywhere.
        status, out, err = run(analyze, False, False)
        check(status == 1, "analyze on a pipe exits 1")
        check(err == b"", f"nothing on stderr when it is a pipe (got {err[:80]!r})")
        check(ESC not in out and b"error: DIO002" in out, "the report on a pipe has no escape codes")

        # 3. stderr on the terminal, stdout piped: progress yes, colour no (colour follows stdout).
        status, out, err = run(analyze, False, True)
        check(len(progress_frames(err, b"analyze")) >= 1, "progress on a tty stderr while stdout is piped")
        check(ESC not in out, "no colour in a piped report")

        # 4. --quiet: no progress line even on a terminal.
        status, out, err = run(["analyze", "--quiet", big, LEAK], False, True)
        check(b"analyze:" not in err and ERASE not in err, "--quiet draws no progress line on a tty")

        # 5. NO_COLOR: the report on a terminal carries no escape code.
        status, out, err = run(analyze, True, False, {"NO_COLOR": "1"})
        check(b"error: DIO002" in out and ESC not in out, "NO_COLOR: no escape codes in the report on a tty")
        status, out, err = run(analyze, True, False, {"NO_COLOR": ""})
        check(b"\x1b[1;31merror:" in out, "an empty NO_COLOR does not disable colour (no-color.org)")

        # 6. check: cases done, bytes and ETA on a terminal; PASS coloured; none on a pipe.
        cases = ["check", "Fixtures/cases/k6.1-mutant-efault-skip-release-ftrace",
                 "Fixtures/cases/k6.1-mutant-efault-skip-release-tracecmd",
                 "Fixtures/cases/k6.1-mutant-control-ftrace", "Fixtures/cases/k6.1-mutant-control-tracecmd"]
        status, out, err = run(cases, True, True)
        check(status == 0, f"check of four mutant cases passes on a tty (got {status})")
        frames = progress_frames(out, b"check")
        check(len(frames) >= 1 and all(b"/4 cases" in f and b"MB of" in f for f in frames),
              f"check on a tty shows cases done and bytes ({len(frames)} frames)")
        check(b"\x1b[32mPASS\x1b[0m" in out, "PASS is green on a terminal")
        status, out, err = run(cases, False, False)
        check(err == b"" and ESC not in out and out.startswith(b"PASS"), "check on a pipe: no progress, no colour")
    print(f"terminal-test: {'FAILED ' + str(len(failures)) if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
