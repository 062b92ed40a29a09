"""Time MSAL for Python's MEX parser on the real MEX fixtures, for the side-by-side figure in
BENCHMARKS.md (issue #7): the client everyone already has, on the same documents.

Usage: msal_mex_bench.py FIXTURE_DIR
Prints one JSON line per fixture: {"fixture", "bytes", "msal_us" (median), "endpoint"}.
MSAL raises on some documents macOS reads (see NOTES.md); those report the error instead.
"""
import json
import os
import statistics
import sys
import time

from msal.mex import Mex


def median_us(f, n=301):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def main():
    folder = sys.argv[1]
    for name in sorted(os.listdir(folder)):
        if "not-well-formed" in name:
            continue
        with open(os.path.join(folder, name), "rb") as f:
            doc = f.read()
        try:
            endpoint = Mex(doc).get_wstrust_username_password_endpoint()
            us = median_us(lambda: Mex(doc).get_wstrust_username_password_endpoint())
            print(json.dumps({"fixture": name, "bytes": len(doc), "msal_us": round(us, 1),
                              "endpoint": endpoint and endpoint.get("address")}))
        except Exception as e:  # MSAL's parser raises on documents it does not understand
            print(json.dumps({"fixture": name, "bytes": len(doc), "error": f"{type(e).__name__}: {e}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
