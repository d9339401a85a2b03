# Writes the PyTorch files the import tests read, and the scores PyTorch itself gives (run by PyTorchFixture).
import json
import sys

import torch
from torch import nn

out = sys.argv[1]
torch.manual_seed(0)
d = 6


class Ae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, d))

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Truncated(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)[:, :3]


class NanBelow(nn.Module):
    """Reconstructs like inner, but yields NaN for a row whose first scaled feature is below -1000."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x) + torch.log(x[:, 0:1] + 1000.0) * 0.0


m = Ae().eval()
torch.save(m.state_dict(), f"{out}/state_dict.pt")
torch.jit.save(torch.jit.trace(m, torch.zeros(2, d)), f"{out}/traced.pt")
torch.jit.save(torch.jit.script(m), f"{out}/scripted.pt")
torch.jit.save(torch.jit.script(Truncated(m)), f"{out}/truncated.pt")
torch.jit.save(torch.jit.script(NanBelow(m)), f"{out}/nan_below.pt")
extra = dict(m.state_dict())
extra["head.weight"] = torch.zeros(2, 3)
torch.save(extra, f"{out}/state_dict_extra_key.pt")
reshaped = dict(m.state_dict())
reshaped["encoder.2.weight"] = torch.zeros(4, 7)
torch.save(reshaped, f"{out}/state_dict_bad_shape.pt")

center = [0.5, -1.0, 2.0, 0.0, 3.0, -0.25]
scale = [0.5, 2.0, 4.0, 1.0, 0.25, 8.0]  # powers of two: scaling is exact in float32 on both sides
with open(f"{out}/scaler.json", "w") as f:
    json.dump({"kind": "Standard", "center": center, "scale": scale}, f)
with open(f"{out}/schema.json", "w") as f:
    json.dump([f"f{i}" for i in range(d)], f)

raw = torch.randn(64, d) * torch.tensor(scale) * 2 + torch.tensor(center)
x = (raw - torch.tensor(center)) / torch.tensor(scale)
with torch.no_grad():
    scores = ((m(x) - x) ** 2).mean(dim=1)
with open(f"{out}/rows.csv", "w") as f:
    f.write(",".join(f"f{i}" for i in range(d)) + "\n")
    for row in raw.tolist():
        f.write(",".join(repr(v) for v in row) + "\n")
with open(f"{out}/expected.json", "w") as f:
    json.dump({"rows": raw.tolist(), "scores": scores.tolist()}, f)
