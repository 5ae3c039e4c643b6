# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Exact accounting of a load run (tests/load/load.sh).

usage: check.py OUTPUT_JSONL WORKERS_FILE DURATION CPU_S PEAK_RSS_KB

WORKERS_FILE: one "PID LABEL RAISED" line per worker. For every worker:
delivered (records of its pid with event pyaudit.load.ev) + lost (the
final lost record's by_pid) must equal raised, and the delivered
sequence numbers (arg0) must be distinct and in [0, raised). Prints a
table; exits 1 on any mismatch or invalid line.
"""
import json
import sys

EVENT = "pyaudit.load.ev"


def main():
    out_path, workers_path = sys.argv[1], sys.argv[2]
    duration, cpu_s, rss_kb = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    workers = {}
    order = []
    with open(workers_path) as f:
        for line in f:
            pid, label, raised = line.split()
            pid, raised = int(pid), int(raised)
            workers[pid] = {"label": label, "raised": raised, "delivered": 0,
                            "seen": bytearray(raised), "dups": 0, "bad": 0}
            order.append(pid)

    problems = []
    invalid = 0
    foreign = 0
    finals = []
    lines = 0
    with open(out_path, "rb") as f:
        for raw in f:
            lines += 1
            try:
                rec = json.loads(raw)
            except ValueError:
                invalid += 1
                if invalid <= 3:
                    problems.append(f"line {lines} is not JSON: {raw[:120]!r}")
                continue
            if rec.get("type") == "lost":
                if rec.get("final"):
                    finals.append(rec)
                continue
            if rec.get("event") != EVENT:
                continue
            w = workers.get(rec.get("pid"))
            if w is None:
                foreign += 1
                continue
            w["delivered"] += 1
            seq = rec.get("args", {}).get("arg0")
            if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < w["raised"]:
                w["bad"] += 1
            elif w["seen"][seq]:
                w["dups"] += 1
            else:
                w["seen"][seq] = 1

    if invalid:
        problems.append(f"{invalid} lines are not JSON")
    if len(finals) > 1:
        problems.append(f"{len(finals)} final lost records")
    by_pid = {}
    total_lost_reported = 0
    if finals:
        final = finals[-1]
        by_pid = {int(k): v for k, v in final.get("by_pid", {}).items()}
        total_lost_reported = final.get("total_lost", 0)
        if "by_pid" not in final:
            problems.append("the final lost record has no by_pid")

    hdr = f"{'worker':>6} {'pid':>8} {'python':<14} {'raised':>12} {'delivered':>12} {'lost':>12} {'%deliv':>7}  check"
    print(hdr)
    print("-" * len(hdr))
    tot_r = tot_d = tot_l = 0
    for n, pid in enumerate(order, 1):
        w = workers[pid]
        lost = by_pid.get(pid, 0)
        r, d = w["raised"], w["delivered"]
        ok = d + lost == r and not w["dups"] and not w["bad"]
        note = "ok" if ok else "MISMATCH"
        if d + lost != r:
            problems.append(f"pid {pid}: delivered {d} + lost {lost} = {d + lost} != raised {r}")
        if w["dups"]:
            problems.append(f"pid {pid}: {w['dups']} duplicate sequence numbers")
            note += f" dups={w['dups']}"
        if w["bad"]:
            problems.append(f"pid {pid}: {w['bad']} sequence numbers out of range")
            note += f" bad={w['bad']}"
        pct = 100.0 * d / r if r else 100.0
        print(f"{n:>6} {pid:>8} {w['label']:<14} {r:>12} {d:>12} {lost:>12} {pct:>6.2f}%  {note}")
        tot_r, tot_d, tot_l = tot_r + r, tot_d + d, tot_l + lost
    print("-" * len(hdr))
    pct = 100.0 * tot_d / tot_r if tot_r else 100.0
    print(f"{'total':>6} {'':>8} {'':<14} {tot_r:>12} {tot_d:>12} {tot_l:>12} {pct:>6.2f}%")
    print()
    print(f"duration {duration:g} s, {len(order)} workers: raised {tot_r / duration:,.0f} events/s, "
          f"delivered {tot_d / duration:,.0f} events/s ({pct:.2f}%), lost {tot_l / duration:,.0f} events/s")
    print(f"lost in all (final record): {total_lost_reported}"
          + (f", of other processes: {total_lost_reported - tot_l}" if total_lost_reported != tot_l else ""))
    if foreign:
        print(f"{foreign} {EVENT} records of other processes (ignored)")
    print(f"pyaudit: CPU {cpu_s:.2f} s ({100.0 * cpu_s / duration:.0f}% of one CPU over the run), "
          f"peak RSS {rss_kb / 1024:.1f} MiB; output {lines} lines")
    if problems:
        print()
        for p in problems:
            print("FAIL:", p)
        return 1
    print("accounting exact: delivered + lost == raised for every worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
