import importlib
import sys

ALL = ["cold", "warm", "lookup", "soap", "package", "exsync"]


def main() -> int:
    names = sys.argv[1:] or ALL
    for name in names:
        if name not in ALL:
            print(f"unknown benchmark {name}; choose from {', '.join(ALL)}")
            return 2
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


raise SystemExit(main())
