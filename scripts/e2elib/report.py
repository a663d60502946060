"""Check results, printed as they happen and summed up at the end."""

import sys


class Report:
    """Collects named checks; `ok` is False once any check failed."""

    def __init__(self):
        self.results = []

    def check(self, name, passed, detail=""):
        """Records one check and prints it at once."""
        self.results.append((name, bool(passed), detail))
        mark = "PASS" if passed else "FAIL"
        line = f"[{mark}] {name}"
        if detail:
            line += f": {detail}"
        print(line, flush=True)
        return bool(passed)

    def section(self, title):
        print(f"\n=== {title} ===", flush=True)

    @property
    def ok(self):
        return all(passed for _, passed, _ in self.results)

    def summary(self):
        failed = [name for name, passed, _ in self.results if not passed]
        print(f"\n{len(self.results) - len(failed)} of {len(self.results)} checks passed")
        for name in failed:
            print(f"  failed: {name}")
        sys.stdout.flush()
