"""Run a benchmark: ``python -m benchmarks`` lists them, ``python -m benchmarks NAME [ARGS]`` runs one.

Every module in this package is one benchmark, runnable on its own as
``python -m benchmarks.NAME``; its results go to ``benchmarks/results/NAME.json`` / ``.md``.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, str]:
    """Benchmark module name -> the first line of its docstring (read without importing it)."""
    import ast

    out: dict[str, str] = {}
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name.startswith("_") or info.ispkg:
            continue
        source = (HERE / f"{info.name}.py").read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        out[info.name] = doc.strip().splitlines()[0] if doc.strip() else ""
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    benches = available()
    if not args or args[0] in {"-h", "--help", "list"}:
        print("Benchmarks (run one with: python -m benchmarks NAME [ARGS]):")
        for name, doc in benches.items():
            print(f"  {name:<20} {doc}")
        return 0
    name, rest = args[0], args[1:]
    if name not in benches:
        print(f"no benchmark named {name!r}; choose one of: {', '.join(benches)}", file=sys.stderr)
        return 2
    if importlib.util.find_spec(f"benchmarks.{name}") is None:  # pragma: no cover
        return 2
    sys.argv = [f"benchmarks.{name}", *rest]
    runpy.run_module(f"benchmarks.{name}", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
