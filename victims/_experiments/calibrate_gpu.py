#!/usr/bin/env python3
# Run from the project root on a machine with PyTorch (a GPU makes it minutes): bash victims/_experiments/calibrate-gpu.sh
# (set OUT to a folder for the JSON and RESULTS.md). Not part of the product: it picks victim designs before hours of wasm training.
"""GPU calibration of victim candidates (PyTorch reference, not part of the product).
Probe = the project's recipe: standardised features, softmax regression, Adam 1e-3, 100 epochs, batch 256,
trained on Fashion-MNIST train[50000:60000] (10,000 labels), tested on the whole test set (10,000).
SSL data = train[0:N]. Random baselines: 5 inits. Prints one JSON line."""
import argparse, gzip, json, math, os, time
import numpy as np, torch, torch.nn.functional as F
from torch import nn

dev = 'cuda'
def idx(p, off): return np.frombuffer(gzip.open(p).read(), np.uint8, offset=off)
def load(d):
    x = idx(f'{d}/train-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(f'{d}/train-labels-idx1-ubyte.gz', 8).astype(np.int64)
    xt = idx(f'{d}/t10k-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    yt = idx(f'{d}/t10k-labels-idx1-ubyte.gz', 8).astype(np.int64)
    return x, y, xt, yt

def block(cin, cout, s): return [nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
def encoder(arch):
    if arch.startswith('deep'):  # deep[-pool2][-w2]
        w = 2 if 'w2' in arch else 1
        pool = 2 if 'pool2' in arch else 1
        c = [32 * w, 64 * w, 64 * w, 128 * w, 128 * w, 256 * w]
        return nn.Sequential(*block(1, c[0], 1), *block(c[0], c[1], 2), *block(c[1], c[2], 1), *block(c[2], c[3], 2),
                             *block(c[3], c[4], 1), *block(c[4], c[5], 2), nn.AdaptiveAvgPool2d(pool), nn.Flatten())
    if arch.startswith('mid'):  # 4 convs: 32 s1 @28, 64 s2 @14, 128 s2 @7, 256 s1 @7 ; pool
        pool = 2 if 'pool2' in arch else 1
        return nn.Sequential(*block(1, 32, 2), *block(32, 64, 1), *block(64, 128, 2), *block(128, 256, 1),
                             nn.AdaptiveAvgPool2d(pool), nn.Flatten())
    widths = {'gap': (32, 64, 128, 1), 'pool2': (32, 64, 128, 2), 'w2pool2': (64, 128, 256, 2), 'w2gap': (64, 128, 256, 1),
              'pool3': (32, 64, 128, 3)}
    a, b, c, pool = widths[arch]
    return nn.Sequential(*block(1, a, 2), *block(a, b, 2), *block(b, c, 1), nn.AdaptiveAvgPool2d(pool), nn.Flatten())

def macs(arch):
    m, tot = encoder(arch), 0
    x = torch.zeros(1, 1, 28, 28)
    for layer in m:
        y = layer(x)
        if isinstance(layer, nn.Conv2d):
            tot += layer.in_channels * layer.out_channels * 9 * y.shape[2] * y.shape[3]
        x = y
    return tot

def feats(model, x):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 2000]) for i in range(0, len(x), 2000)])

def probe(a, ya, b, yb, seed=0):
    g = torch.Generator(device=dev); g.manual_seed(seed)
    mu, sd = a.mean(0), a.std(0) + 1e-6
    a, b = (a - mu) / sd, (b - mu) / sd
    torch.manual_seed(seed)
    w = nn.Linear(a.shape[1], 10).to(dev)
    opt = torch.optim.Adam(w.parameters(), 1e-3)
    for _ in range(100):
        perm = torch.randperm(len(a), device=dev, generator=g)
        for i in range(0, len(a), 256):
            j = perm[i:i + 256]
            opt.zero_grad(); F.cross_entropy(w(a[j]), ya[j]).backward(); opt.step()
    with torch.no_grad():
        return float((w(b).argmax(1) == yb).float().mean())

def augment(x):
    n = x.shape[0]
    scale = torch.empty(n, device=dev).uniform_(0.2, 1.0)
    ratio = torch.exp(torch.empty(n, device=dev).uniform_(math.log(3 / 4), math.log(4 / 3)))
    w, h = torch.sqrt(scale * ratio).clamp(max=1), torch.sqrt(scale / ratio).clamp(max=1)
    cx, cy = torch.rand(n, device=dev) * (1 - w) * 2 - 1 + w, torch.rand(n, device=dev) * (1 - h) * 2 - 1 + h
    flip = (torch.rand(n, device=dev) < 0.5).float() * 2 - 1
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = w * flip, cx, h, cy
    y = F.grid_sample(x, F.affine_grid(theta, x.shape, align_corners=False), align_corners=False)
    bright = torch.empty(n, 1, 1, 1, device=dev).uniform_(0.6, 1.4)
    contrast = torch.empty(n, 1, 1, 1, device=dev).uniform_(0.6, 1.4)
    mean = y.mean((1, 2, 3), keepdim=True)
    return ((y * bright - mean) * contrast + mean).clamp(0, 1)

def ssl_loss(method, z1, z2, t):
    b = z1.shape[0]
    if method == 'simclr':
        z = F.normalize(torch.cat([z1, z2]), dim=1)
        sim = z @ z.t() / t
        sim.fill_diagonal_(-1e9)
        target = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]).to(dev)
        return F.cross_entropy(sim, target)
    if method == 'barlow':
        n1, n2 = (z1 - z1.mean(0)) / (z1.std(0) + 1e-5), (z2 - z2.mean(0)) / (z2.std(0) + 1e-5)
        c = n1.t() @ n2 / b
        on = (torch.diagonal(c) - 1).pow(2).sum()
        off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
        return on + 0.0051 * off
    raise ValueError(method)

def simsiam_loss(pred, z1, z2):
    p1, p2 = pred(z1), pred(z2)
    return -(F.cosine_similarity(p1, z2.detach()).mean() + F.cosine_similarity(p2, z1.detach()).mean()) / 2

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--name'); p.add_argument('--arch'); p.add_argument('--method', default='simclr')
    p.add_argument('--epochs', type=int, default=20); p.add_argument('--train', type=int, default=30000)
    p.add_argument('--batch', type=int, default=256); p.add_argument('--t', type=float, default=0.2)
    p.add_argument('--lr', type=float, default=2e-3); p.add_argument('--every', type=int, default=5)
    p.add_argument('--randoms', type=int, default=5); p.add_argument('--out')
    a = p.parse_args()
    torch.manual_seed(0)
    x, y, xt, yt = load('data/fashion-mnist')
    X = torch.tensor(x).to(dev); Y = torch.tensor(y).to(dev); XT = torch.tensor(xt).to(dev); YT = torch.tensor(yt).to(dev)
    pr = slice(50000, 60000)
    dig = None
    res = {'name': a.name, 'arch': a.arch, 'method': a.method, 'train': a.train, 'batch': a.batch, 't': a.t,
           'macs': macs(a.arch), 'curve': {}}
    def score(fn): return probe(fn(X[pr]), Y[pr], fn(XT), YT)
    dx = torch.tensor(idx('data/digits/digits-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255).to(dev)
    dy = torch.tensor(idx('data/digits/digits-labels-idx1-ubyte.gz', 8).astype(np.int64)).to(dev)
    dp = torch.tensor(np.random.RandomState(0).permutation(len(dx))).to(dev)
    dtr, dte = dp[:2500], dp[2500:3500]
    def dscore(fn): return probe(fn(dx[dtr]), dy[dtr], fn(dx[dte]), dy[dte])
    res['digits_pixels'] = dscore(lambda v: v.reshape(len(v), -1))
    res['pixels'] = score(lambda v: v.reshape(len(v), -1))
    rnd = []
    for s in range(a.randoms):
        torch.manual_seed(100 + s); m = encoder(a.arch).to(dev)
        rnd.append(score(lambda v: feats(m, v)))
    res['random'] = rnd; res['random_mean'] = float(np.mean(rnd)); res['random_sd'] = float(np.std(rnd, ddof=1)) if len(rnd) > 1 else 0
    torch.manual_seed(1)
    model = encoder(a.arch).to(dev)
    dim = feats(model, X[:2]).shape[1]; res['dim'] = dim
    pred = None
    if a.method == 'simsiam':
        head = nn.Sequential(nn.Linear(dim, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, 256), nn.BatchNorm1d(256)).to(dev)
        pred = nn.Sequential(nn.Linear(256, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 256)).to(dev)
    elif a.method == 'simclr':
        head = nn.Sequential(nn.Linear(dim, 256), nn.ReLU(), nn.Linear(256, 128)).to(dev)
    else:
        head = nn.Sequential(nn.Linear(dim, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, 512)).to(dev)
    params = list(model.parameters()) + list(head.parameters()) + (list(pred.parameters()) if pred else [])
    opt = torch.optim.Adam(params, a.lr, weight_decay=1e-6)
    train = X[:a.train]; b = a.batch; t0 = time.time()
    for ep in range(a.epochs):
        model.train(); head.train()
        if pred: pred.train()
        perm = torch.randperm(a.train, device=dev)
        for i in range(0, a.train - b + 1, b):
            batch = train[perm[i:i + b]]
            h = head(model(torch.cat([augment(batch), augment(batch)])))
            loss = simsiam_loss(pred, h[:b], h[b:]) if pred else ssl_loss(a.method, h[:b], h[b:], a.t)
            opt.zero_grad(); loss.backward(); opt.step()
        if (ep + 1) % a.every == 0 or ep + 1 == a.epochs:
            res['curve'][ep + 1] = score(lambda v: feats(model, v))
            print(a.name, ep + 1, res['curve'][ep + 1], f'{time.time()-t0:.0f}s', flush=True)
            res['final'] = res['curve'][ep + 1]; res['epochs_done'] = ep + 1; res['seconds'] = time.time() - t0
            res['gap_pixels'] = res['final'] - res['pixels']; res['gap_random'] = res['final'] - res['random_mean']
            with open(a.out, 'w') as f: json.dump(res, f)
    res['digits_final'] = dscore(lambda v: feats(model, v))
    torch.manual_seed(100); m0 = encoder(a.arch).to(dev); res['digits_random'] = dscore(lambda v: feats(m0, v))
    res['final'] = res['curve'][a.epochs]
    res['seconds'] = time.time() - t0
    res['gap_pixels'] = res['final'] - res['pixels']; res['gap_random'] = res['final'] - res['random_mean']
    print(json.dumps(res), flush=True)
    with open(a.out, 'w') as f: json.dump(res, f)

if __name__ == '__main__':
    main()
