"""Chapter 13's cross-check: airbench94's recipe in PyTorch (CPU, float32) on the book's data.

A transcription of Jordan's airbench94 (MIT licence) as a standalone script, run on the same
JPEG-decoded CIFAR-10 as the Keras chapter, to tell what the port costs from what the pixels
cost. Not a chapter listing; needs PyTorch. Two details follow the Keras port rather than
airbench94.py: the lookahead average runs from the first step (airbench94 starts it in epoch 3,
when its decay has only reached about 0.02), and the average is copied into the network at the
end of the run (airbench94 also at the end of every epoch from epoch 3). The standard
CIFAR-10 channel statistics standardize the images, as in airbench94.

Usage (``--part reference`` of chapter 13 runs it):

    python book/experiments/ch13_reference.py EPOCHS STEP_LIMIT OUT.json
"""

# ruff: noqa
import json, math, os, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(2)
EPOCHS = float(sys.argv[1]) if len(sys.argv) > 1 else 9.9
LIMIT = int(sys.argv[2]) if len(sys.argv) > 2 else 0  # steps, for a speed probe
D = os.path.join(os.environ.get("COMPANION_DATA_DIR", "../shared/data"), "cifar10")
parts = [np.load(f"{D}/cifar10_train_part{i}.npz") for i in range(1, 6)]
xtr = np.concatenate([p["x_train"] for p in parts])
ytr = np.concatenate([p["y_train"] for p in parts]).reshape(-1)
t = np.load(f"{D}/cifar10_test.npz")
xte, yte = t["x_test"], t["y_test"].reshape(-1)
MEAN = torch.tensor((0.4914, 0.4822, 0.4465)).view(1, 3, 1, 1)
STD = torch.tensor((0.2470, 0.2435, 0.2616)).view(1, 3, 1, 1)


def prep(x):
    return ((torch.tensor(x).permute(0, 3, 1, 2).float() / 255) - MEAN) / STD


Xtr, Ytr, Xte, Yte = prep(xtr), torch.tensor(ytr).long(), prep(xte), torch.tensor(yte).long()


class BN(nn.BatchNorm2d):
    def __init__(s, n, momentum=0.6):
        super().__init__(n, eps=1e-12, momentum=1 - momentum)
        s.weight.requires_grad = False


class Conv(nn.Conv2d):
    def __init__(s, ci, co):
        super().__init__(ci, co, 3, padding="same", bias=False)

    def reset_parameters(s):
        super().reset_parameters()
        w = s.weight.data
        nn.init.dirac_(w[: w.size(1)])


class Group(nn.Module):
    def __init__(s, ci, co):
        super().__init__()
        s.c1, s.n1, s.c2, s.n2 = Conv(ci, co), BN(co), Conv(co, co), BN(co)

    def forward(s, x):
        x = F.gelu(s.n1(F.max_pool2d(s.c1(x), 2)))
        return F.gelu(s.n2(s.c2(x)))


class Mul(nn.Module):
    def forward(s, x):
        return x / 9


head = [nn.Conv2d(3, 24, 2, bias=True), nn.GELU(), Group(24, 64), Group(64, 256), Group(256, 256)]
net = nn.Sequential(*head, nn.MaxPool2d(3), nn.Flatten(), nn.Linear(256, 10, bias=False), Mul())
net[0].weight.requires_grad = False
# whitening init from the first 5000 training images
x = Xtr[:5000]
p = x.unfold(2, 2, 1).unfold(3, 2, 1).transpose(1, 3).reshape(-1, 3, 2, 2).double()
pf = p.view(len(p), -1)
cov = pf.T @ pf / len(pf)
ev, evec = torch.linalg.eigh(cov)
ev = ev.flip(0).view(-1, 1, 1, 1)
evec = evec.T.reshape(12, 3, 2, 2).flip(0)
sc = evec / torch.sqrt(ev + 5e-4)
net[0].weight.data[:] = torch.cat((sc, -sc)).float()
net[0].bias.data.zero_()
net = net.to(memory_format=torch.channels_last)

bs, mom = 1024, 0.85
kss = 1024 * (1 + 1 / (1 - mom))
lr = 11.5 / kss
wd = 0.0153 * bs / kss
lrb = lr * 64
norm_b = [p for k, p in net.named_parameters() if ("n1" in k or "n2" in k) and p.requires_grad]
other = [p for k, p in net.named_parameters() if not ("n1" in k or "n2" in k) and p.requires_grad]
groups = [dict(params=ps, lr=r, weight_decay=wd / r) for ps, r in ((norm_b, lrb), (other, lr))]
opt = torch.optim.SGD(groups, momentum=mom, nesterov=True)
for g in opt.param_groups:
    g["initial_lr"] = g["lr"]
per_epoch = len(Xtr) // bs
total = math.ceil(per_epoch * EPOCHS)


def get_lr(step):
    w = int(total * 0.23)
    if step < w:
        f = step / w
        return 0.2 * (1 - f) + f
    f = (step - w) / (total - w)
    return (1 - f) + 0.07 * f


alpha = 0.95**5 * (torch.arange(total + 1) / total) ** 3
ema = {k: v.clone() for k, v in net.state_dict().items()}


def la(decay):
    for e, p in zip(ema.values(), net.state_dict().values()):
        if p.dtype in (torch.half, torch.float):
            e.lerp_(p, 1 - decay)
            p.copy_(e)


lossf = nn.CrossEntropyLoss(label_smoothing=0.2, reduction="none")
g = torch.Generator().manual_seed(0)
flipped = torch.where(
    (torch.rand(len(Xtr), generator=g) < 0.5).view(-1, 1, 1, 1), Xtr.flip(-1), Xtr
)
padded = F.pad(flipped, (2,) * 4, "reflect")


def crop(imgs):  # per-image random translation within +-2 (reflect padding)
    n = len(imgs)
    sx = torch.randint(0, 5, (n,), generator=g)
    sy = torch.randint(0, 5, (n,), generator=g)
    out = torch.empty(n, 3, 32, 32)
    for dx in range(5):
        for dy in range(5):
            m = (sx == dx) & (sy == dy)
            out[m] = imgs[m, :, dy : dy + 32, dx : dx + 32]
    return out


def evaluate(X, tta=0):
    net.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(X), 1000):
            b = X[i : i + 1000].contiguous(memory_format=torch.channels_last)
            o = net(b)
            if tta >= 1:
                o = 0.5 * o + 0.5 * net(b.flip(-1))
            if tta >= 2:
                pd = F.pad(b, (1,) * 4, "reflect")
                views = (pd[:, :, :32, :32], pd[:, :, 2:, 2:])
                s = [0.5 * net(v) + 0.5 * net(v.flip(-1)) for v in views]
                o = 0.5 * o + 0.25 * (s[0] + s[1])
            outs.append(o)
    net.train()
    return float((torch.cat(outs).argmax(1) == Yte).float().mean())


step, log = 0, {"epochs": EPOCHS, "per_epoch": [], "seconds": []}
t0 = time.time()
for epoch in range(math.ceil(EPOCHS)):
    te = time.time()
    net[0].bias.requires_grad = epoch < 3
    imgs = crop(padded)
    if epoch % 2 == 1:
        imgs = imgs.flip(-1)
    order = torch.randperm(len(imgs), generator=g)
    for b in range(per_epoch):
        idx = order[b * bs : (b + 1) * bs]
        out = net(imgs[idx].contiguous(memory_format=torch.channels_last))
        loss = lossf(out, Ytr[idx]).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        for gr in opt.param_groups:
            gr["lr"] = gr["initial_lr"] * get_lr(step)
        opt.step()
        step += 1
        if step % 5 == 0:
            la(alpha[step].item())
        if step >= total:
            la(1.0)
            break
        if LIMIT and step >= LIMIT:
            print("probe", step, "steps", round(time.time() - t0, 1), "s")
            sys.exit()
    log["seconds"].append(round(time.time() - te, 1))
    log["per_epoch"].append(evaluate(Xte))
    print(epoch + 1, log["seconds"][-1], log["per_epoch"][-1], flush=True)
    if step >= total:
        break
log["final"] = {f"tta{k}": evaluate(Xte, k) for k in range(3)}
log["total_s"] = round(time.time() - t0, 1)
print(json.dumps(log))
json.dump(log, open(sys.argv[3] if len(sys.argv) > 3 else f"reference-{EPOCHS}.json", "w"))
