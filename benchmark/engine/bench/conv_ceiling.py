#!/usr/bin/env python3
"""PyTorch side of the per-conv ceiling (conv-ceiling.ts): times one conv of the reference encoder (forward, input
gradient or filter gradient, the latter two through aten::convolution_backward as autograd calls it) on one thread,
per request, so that the caller can alternate it with its own timing of the same case. Reads one JSON request a line
on stdin, {"name", "op", "x": [n, h, w, ci], "w": [kh, kw, ci, co], "stride", "ms": time budget}, and answers each
with one line {"ok": true, "name", "ms": median ms per call} (or {"ok": false, "error"}). The first line it prints
is {"ok": true, "torch": version} once torch has imported."""
import json
import sys
import time


def main() -> None:
    try:
        import torch
    except Exception as error:
        print(json.dumps({"ok": False, "error": f"torch does not import: {error}"}), flush=True)
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(json.dumps({"ok": True, "torch": torch.__version__}), flush=True)
    prepared = {}
    for line in sys.stdin:
        case = json.loads(line)
        name = case["name"]
        if name not in prepared:
            n, h, w, ci = case["x"]
            kh, kw, _, co = case["w"]
            s = case["stride"]
            x = torch.rand(n, ci, h, w)
            weight = torch.rand(co, ci, kh, kw)
            dy = torch.rand_like(torch.nn.functional.conv2d(x, weight, None, s, kh // 2))
            mask = {"forward": None, "input": [True, False, False], "filter": [False, True, False]}[case["op"]]
            if mask is None:
                run = (lambda x=x, weight=weight, s=s, p=kh // 2: torch.nn.functional.conv2d(x, weight, None, s, p))
            else:
                run = (lambda x=x, weight=weight, dy=dy, s=s, p=kh // 2, mask=mask: torch.ops.aten.convolution_backward(
                    dy, x, weight, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, mask))
            for _ in range(2):
                run()
            prepared[name] = run
        run = prepared[name]
        samples = []
        started = time.perf_counter()
        while len(samples) < 3 or (time.perf_counter() - started) * 1000 < case["ms"]:
            t = time.perf_counter()
            run()
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        print(json.dumps({"ok": True, "name": name, "ms": samples[len(samples) // 2]}), flush=True)


if __name__ == "__main__":
    main()
