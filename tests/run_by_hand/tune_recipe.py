"""Recipe trials on tuning splits (seed 2027 only): one network against raw pixels, ensembles of
networks of the core recipe against Fisherfaces, everything trained on the training people only.

A stripped-down copy of the notebook's recipe (same network, loss, batches, random views and
schedule; its own validation draw), fast enough to try variants. Not collected by pytest. From the
repository root, with ATT_FACES_SOURCE naming the unpacked faces:

    python tests/run_by_hand/tune_recipe.py                    # the recipe, 3 networks, splits 0-5
    python tests/run_by_hand/tune_recipe.py n_nets=8 val_share=0.2 splits=0:12
    python tests/run_by_hand/tune_recipe.py n_nets=4 search=True splits=0:5   # the zoom search

Each KEY=VALUE changes one entry of cfg. It prints a line per split and a summary per model: mean
AUC and EER, the paired AUC difference to raw pixels and to Fisherfaces with the splits ahead.
Trials and their numbers: tests/records/RESULTS.md, "Recipe trials for one protocol".
"""
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from scipy.spatial.distance import cdist, pdist, squareform
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.pipeline import make_pipeline
from torchvision.transforms import v2

torch.set_num_threads(1)
DATA = Path(os.environ.get("ATT_FACES_SOURCE", "data/att_faces"))
cfg = dict(val_share=0.3, epochs=20, margin=1.4, people=30, per=2, lr=1e-3, wd=5e-4,
           balanced=False, n_nets=3, splits="0:6", zoom=1.3, shift=4, size=(56, 46),
           channels=(16, 32, 64, 128), search=False)
for arg in sys.argv[1:]:
    key, value = arg.split("=")
    cfg[key] = type(cfg[key])(eval(value)) if not isinstance(cfg[key], str) else value
print(cfg, flush=True)


class Net(nn.Module):
    def __init__(self, channels=(16, 32, 64, 128)):
        super().__init__()
        layers, c_in = [], 1
        for k, c in enumerate(channels):
            layers += [nn.ReflectionPad2d(1), nn.Conv2d(c_in, c, 3), nn.ReLU(), nn.BatchNorm2d(c)]
            if k < len(channels) - 1:
                layers.append(nn.MaxPool2d(2))
            c_in = c
        layers.append(nn.AdaptiveAvgPool2d((4, 3)))
        self.cnn = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(c_in * 12, 128), nn.ReLU(),
                                nn.Linear(128, 64))

    def forward(self, x):
        return F.normalize(self.fc(self.cnn(x)), dim=1)


def load():
    imgs, raw, ids = [], [], []
    for p in range(1, 41):
        for m in range(1, 11):
            photo = Image.open(DATA / f"s{p}" / f"{m}.pgm").convert("L")
            t = v2.functional.to_dtype(v2.functional.to_image(photo), torch.float32, scale=True)
            raw.append(t.flatten().numpy())
            small = v2.functional.resize(t, list(cfg["size"]), antialias=True)
            imgs.append((small - small.mean()) / small.std())
            ids.append(p - 1)
    return torch.stack(imgs), np.array(raw), np.array(ids)


def loss_fn(e1, e2, same, m):
    d = F.pairwise_distance(e1, e2)
    y = (~same).float()
    per = (1 - y) * 0.5 * d ** 2 + y * 0.5 * torch.clamp(m - d, min=0) ** 2
    if cfg["balanced"]:
        return (per[same].mean() + per[~same].mean()) / 2
    return per.mean()


AUG = v2.Compose([v2.RandomHorizontalFlip(), v2.RandomAffine(
    degrees=0, translate=(cfg["shift"] / cfg["size"][1], cfg["shift"] / cfg["size"][0]),
    scale=(1, cfg["zoom"]))])


def views(batch):
    return torch.stack([AUG(img) for img in batch])


def train(images, ids, seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    net = Net(cfg["channels"])
    people = np.unique(ids)
    per_batch = min(cfg["people"], len(people))
    nb = max(1, len(ids) // (per_batch * cfg["per"]))
    opt = torch.optim.AdamW(net.parameters(), lr=cfg["lr"], weight_decay=cfg["wd"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg["lr"], total_steps=cfg["epochs"] * nb)
    photos_of = {p: np.flatnonzero(ids == p) for p in people}
    rng = np.random.default_rng(seed)
    for _ in range(cfg["epochs"]):
        net.train()
        for _ in range(nb):
            chosen = rng.permutation(people)[:per_batch]
            batch = np.concatenate([rng.permutation(photos_of[p])[:cfg["per"]] for p in chosen])
            e = net(views(images[batch]))
            i, j = np.triu_indices(len(batch), 1)
            same = torch.as_tensor(ids[batch][i] == ids[batch][j])
            loss = loss_fn(e[i], e[j], same, cfg["margin"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return net.eval()


@torch.no_grad()
def emb(net, x, mirror=False, zooms=(1.0,)):
    out = 0
    for z in zooms:
        xz = x if z == 1.0 else v2.functional.affine(x, angle=0.0, translate=[0, 0], scale=z,
                                                     shear=[0.0])
        e = net(xz)
        if mirror:
            e = e + net(xz.flip(-1))
        out = out + e
    return F.normalize(out, dim=1).numpy()


def auc_eer(d, same):
    fpr, tpr, _ = roc_curve(same, -d)
    k = np.argmin(np.abs(1 - tpr - fpr))
    return roc_auc_score(same, -d), (fpr[k] + 1 - tpr[k]) / 2


images, raw, ids = load()
names = [f"s{i}" for i in range(1, 41)]
rng = np.random.default_rng(2027)  # the tuning seed of the ledger
splits = [sorted(rng.choice(40, 10, replace=False)) for _ in range(12)]
lo, hi = map(int, cfg["splits"].split(":"))
rows = []
for k in range(lo, hi):
    test = np.array(splits[k])
    others = np.random.default_rng(k).permutation(np.setdiff1d(np.arange(40), test))
    nval = round(cfg["val_share"] * len(others))
    train_people = others[nval:]
    is_train, is_test = np.isin(ids, train_people), np.isin(ids, test)
    same = (lambda t: t[np.triu_indices(len(t), 1)[0]] == t[np.triu_indices(len(t), 1)[1]])(
        ids[is_test])
    started = time.time()
    nets = [train(images[is_train], ids[is_train], 1000 * k + s) for s in range(cfg["n_nets"])]
    secs = (time.time() - started) / cfg["n_nets"]
    r = {"split": k}
    r["raw"] = auc_eer(pdist(raw[is_test]), same)
    comps = min(40, is_train.sum() - len(train_people))
    ff = make_pipeline(PCA(comps, random_state=0), LinearDiscriminantAnalysis()).fit(
        raw[is_train], ids[is_train])
    r["fisher"] = auc_eer(pdist(ff.transform(raw[is_test])), same)
    x = images[is_test]
    for s, net in enumerate(nets):
        r[f"net{s}"] = auc_eer(pdist(emb(net, x)), same)
        r[f"net{s}_mirror"] = auc_eer(pdist(emb(net, x, True)), same)
    for name, kw in (("ens", {}), ("ens_mirror", dict(mirror=True)),
                     ("ens_mirror_scales", dict(mirror=True, zooms=(0.9, 1.0, 1.1, 1.2)))):
        e = np.concatenate([emb(net, x, **kw) for net in nets], axis=1)
        r[name] = auc_eer(pdist(e), same)  # the ensemble of all n_nets networks
    for k in (4, 6):
        if k < len(nets):  # the first k networks alone
            e = np.concatenate([emb(net, x, mirror=True) for net in nets[:k]], axis=1)
            r[f"ens{k}_mirror"] = auc_eer(pdist(e), same)
    if cfg["search"]:  # per network the closest pair of views over five zooms, then the RMS
        zooms = (0.8, 0.9, 1.0, 1.1, 1.2)
        squared = 0
        for net in nets[:4]:
            vw = np.stack([emb(net, x, mirror=True, zooms=(z,)) for z in zooms], axis=1)
            n, nz, dim = vw.shape
            d = cdist(vw.reshape(-1, dim), vw.reshape(-1, dim)).reshape(n, nz, n, nz)
            squared = squared + d.min(axis=(1, 3)) ** 2
        full = np.sqrt(squared / len(nets[:4]))
        np.fill_diagonal(full, 0)
        r["ens4_search"] = auc_eer(squareform(full, checks=False), same)
    r["secs"] = secs
    rows.append(r)
    print(json.dumps({a: (round(b[0], 4), round(b[1], 4)) if isinstance(b, tuple) else b
                      for a, b in r.items()}), flush=True)

keys = [key for key in rows[0] if key not in ("split", "secs")]
print("SUMMARY", cfg)
for key in keys:
    auc = np.array([r[key][0] for r in rows])
    eer = np.array([r[key][1] for r in rows])
    vs_raw = np.array([r[key][0] - r["raw"][0] for r in rows])
    vs_f = np.array([r[key][0] - r["fisher"][0] for r in rows])
    both = sum(r[key][0] > r["fisher"][0] and r[key][1] < r["fisher"][1] for r in rows)
    print(f"{key:20s} AUC {auc.mean():.4f} EER {eer.mean():.3%} vs raw {vs_raw.mean():+.4f} "
          f"({(vs_raw > 0).sum()}/{len(rows)}) vs fisher {vs_f.mean():+.4f} "
          f"both {both}/{len(rows)}")
print("secs per net", np.mean([r["secs"] for r in rows]))
