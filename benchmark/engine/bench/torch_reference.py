#!/usr/bin/env python3
"""PyTorch reference for the engine benchmark: the same reference encoder (3 x conv3x3 'same' no bias + BN + ReLU,
filters 32/64/128, strides 2/2/1, global average pooling -> 128-d), the same projection head (dense 128 ReLU ->
dense 64), MSE loss to a fixed target, Adam; one thread. Prints one JSON object on stdout:
{"ok": true, "msPerStep": ..., "samples": [...], "torch": "1.13.1", "threads": 1} or {"ok": false, "error": "..."}."""
import json
import sys
import time


def main() -> None:
    args = dict(a.split("=", 1) for a in sys.argv[1:])
    batch = int(args.get("batch", 128))
    steps = int(args.get("steps", 20))
    warmup = int(args.get("warmup", 3))
    try:
        import torch
        from torch import nn
    except Exception as error:  # torch missing or broken: the benchmark reports a skip
        print(json.dumps({"ok": False, "error": f"torch does not import: {error}"}))
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)

    def block(cin: int, cout: int, stride: int) -> list:
        return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-5), nn.ReLU()]

    model = nn.Sequential(
        *block(1, 32, 2), *block(32, 64, 2), *block(64, 128, 1),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64),
    )
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, 28, 28)
    target = torch.randn(batch, 64)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    samples = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    median = samples[len(samples) // 2]
    print(json.dumps({"ok": True, "msPerStep": median, "meanMs": sum(samples) / len(samples), "samples": samples,
                      "torch": torch.__version__, "threads": torch.get_num_threads(), "batch": batch}))


if __name__ == "__main__":
    main()
