#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kunit-summary.py - count the KUnit results that guest runs brought back.

    kunit-summary.py [--ksrc DIR] RUNDIR...

For every RUNDIR/kunit/SUITE.ktap (written by tools/vm/run.sh) this runs
the kernel tree's "kunit.py parse --json" and counts test cases: every
parameter of a parameterised case counts as one case.  Prints one line per
suite, the name and log of each failing case, and as the last line
"KUNIT <passed> <failed> <skipped>".  A suite that kunit.py cannot parse,
that crashed or that holds no case counts as one failure.  Exits 1 if
anything failed.

Which copy is parsed: in 6.1 the debugfs results file keeps only the last
parameter of a parameterised case (the case's log is cleared before each
parameter), so when RUNDIR/dmesg.txt holds a complete run of SUITE, that
copy is parsed instead, made into a standalone KTAP document.  The debugfs
file is the fallback (e.g. when the kernel log overflowed).

The kernel source tree (for kunit.py) is --ksrc, else $RCUMAP_KSRC, else
the one tools/vm/lib.sh names.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RESULT = re.compile(r'^(\s*)(not ok|ok) (\d+)\s+(?:- )?([^#]*?)\s*(#.*)?$')
SUBTEST = re.compile(r'^(\s*)# Subtest: (.*?)\s*$')
STAMP = re.compile(r'^\[\s*\d+\.\d+\] ')


def source_dir(arg):
    if arg:
        return arg
    if os.environ.get('RCUMAP_KSRC'):
        return os.environ['RCUMAP_KSRC']
    lib = os.path.join(HERE, 'lib.sh')
    return subprocess.run(['bash', '-c', '. "$1" && source_dir', 'sh', lib],
                          check=True, capture_output=True,
                          text=True).stdout.strip()


def from_dmesg(dmesg, suite):
    """The last complete run of @suite in the kernel log, as a KTAP
    document of its own (header, plan 1..1, the suite numbered 1)."""
    lines = [STAMP.sub('', l.rstrip('\n')) for l in dmesg]
    found = None
    for i, line in enumerate(lines):
        m = SUBTEST.match(line)
        if not m or m.group(1) != '    ' or m.group(2) != suite:
            continue
        for j in range(i + 1, len(lines)):
            r = RESULT.match(lines[j])
            if r and r.group(1) == '' and r.group(4) == suite:
                found = (i, j, r)
                break
    if not found:
        return None
    i, j, r = found
    if i > 0 and lines[i - 1].strip().startswith('KTAP version'):
        i -= 1
    end = '%s 1 %s%s' % (r.group(2), suite,
                         ' ' + r.group(5) if r.group(5) else '')
    return ['KTAP version 1', '1..1'] + lines[i:j] + [end]


def case_logs(ktap):
    """Map each result's path (suite, case[, param]) to the lines
    printed since the result before it."""
    names = {}
    logs = {}
    buf = []
    for line in ktap:
        m = SUBTEST.match(line)
        if m:
            depth = len(m.group(1))
            names = {k: v for k, v in names.items() if k < depth}
            names[depth] = m.group(2)
            continue
        r = RESULT.match(line)
        if not r:
            text = line.strip()
            if text and not text.startswith('KTAP version') and \
               not re.match(r'^\d+\.\.\d+$', text):
                buf.append(line)
            continue
        depth = len(r.group(1))
        path = tuple(v for k, v in sorted(names.items()) if k <= depth)
        logs[path + (r.group(4),)] = buf
        buf = []
        names = {k: v for k, v in names.items() if k <= depth}
    return logs


def walk(group, path, counts, failures):
    for case in group['test_cases']:
        status = case['status']
        key = {'PASS': 'passed', 'SKIP': 'skipped'}.get(status, 'failed')
        counts[key] += 1
        if key == 'failed':
            failures.append((path + (case['name'],), status))
    for sub in group['sub_groups']:
        walk(sub, path + (sub['name'],), counts, failures)


def dedent(lines):
    width = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
    return [l[width:] for l in lines]


def suite_result(kunit_py, ktap_path, dmesg, guest, suite):
    """Print one suite's line and failures; return its counts."""
    ktap = from_dmesg(dmesg, suite) if dmesg else None
    if ktap is None:
        with open(ktap_path, errors='backslashreplace') as f:
            ktap = f.read().splitlines()
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    failures = []
    problem = None
    with tempfile.TemporaryDirectory() as tmp:
        doc = os.path.join(tmp, suite + '.ktap')
        out = os.path.join(tmp, 'result.json')
        with open(doc, 'w') as f:
            f.write('\n'.join(ktap) + '\n')
        proc = subprocess.run([sys.executable, kunit_py, 'parse',
                               '--json=' + out, doc],
                              capture_output=True, text=True)
        try:
            with open(out) as f:
                walk(json.load(f), (), counts, failures)
        except (OSError, ValueError, KeyError) as e:
            problem = 'kunit.py parse gave no usable JSON (%s)' % e
    errors = [l for l in proc.stdout.splitlines()
              if '[ERROR]' in l or '[CRASHED]' in l]
    if problem is None and errors:
        problem = 'kunit.py found the results broken or crashed'
    if problem is None and proc.returncode != 0 and not failures:
        problem = 'kunit.py parse failed with no failing case'
    if problem is None and sum(counts.values()) == 0:
        problem = 'no test case ran'
    if problem:
        counts['failed'] += 1
    print('  %s/%s: %d passed, %d failed, %d skipped' %
          (guest, suite, counts['passed'], counts['failed'],
           counts['skipped']))
    if problem:
        print('    FAILED %s: %s' % (suite, problem))
        for line in (errors or (proc.stdout + proc.stderr).splitlines())[-20:]:
            print('      | ' + line)
    logs = case_logs(ktap)
    for path, status in failures:
        print('    %s %s' % ('CRASHED' if status == 'ERROR' else 'FAILED',
                             '.'.join(path)))
        log = logs.get(path, [])
        for line in dedent(log) if log else ['(no log)']:
            print('      ' + line)
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ksrc', help='kernel source tree (has kunit.py)')
    ap.add_argument('dirs', nargs='+', metavar='RUNDIR')
    args = ap.parse_args()
    kunit_py = os.path.join(source_dir(args.ksrc),
                            'tools/testing/kunit/kunit.py')
    if not os.path.isfile(kunit_py):
        sys.exit('kunit-summary: no %s' % kunit_py)

    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    for d in args.dirs:
        d = os.path.abspath(d)
        guest = os.path.basename(d)
        kdir = os.path.join(d, 'kunit')
        suites = sorted(f[:-5] for f in os.listdir(kdir)
                        if f.endswith('.ktap')) if os.path.isdir(kdir) else []
        if not os.path.isfile(os.path.join(d, 'status')):
            print('  %s: the guest did not finish, results may be missing'
                  % guest)
            total['failed'] += 1
        if not suites:
            print('  %s: no KUnit results' % guest)
        dmesg = None
        if os.path.isfile(os.path.join(d, 'dmesg.txt')):
            with open(os.path.join(d, 'dmesg.txt'),
                      errors='backslashreplace') as f:
                dmesg = f.readlines()
        for suite in suites:
            counts = suite_result(kunit_py,
                                  os.path.join(kdir, suite + '.ktap'),
                                  dmesg, guest, suite)
            for k in total:
                total[k] += counts[k]
    print('KUNIT %d %d %d' % (total['passed'], total['failed'],
                              total['skipped']))
    return 1 if total['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
