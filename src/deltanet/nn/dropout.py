"""`Dropout`: inverted dropout. In training mode each entry is zeroed with probability p and the survivors
are scaled by 1/(1 − p), so the expected activation is unchanged and `eval()` needs no rescaling; in
eval mode it is the identity. The mask comes from the library's seeded generator
(`deltanet.random.default_generator()`), whose state checkpoints save, so runs are reproducible and
resume bit-exactly."""

from __future__ import annotations

from deltanet.nn import functional as F
from deltanet.nn.module import Module


class Dropout(Module):
    def __init__(self, p: float = 0.5):
        super().__init__()
        F.check_dropout_p(p, "Dropout")
        self.p = float(p)

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def get_config(self) -> dict:
        return {"p": self.p}
