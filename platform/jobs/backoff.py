"""How long a failed job waits before its next attempt: exponential, capped, with jitter."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    """Attempt n waits `base * 2**(n-1)`, at most `cap`, times a random factor in [1 - jitter, 1]."""

    base: float = 10.0  # seconds after the first failure
    cap: float = 3600.0
    jitter: float = 0.5

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        exponent = min(max(attempts - 1, 0), 32)  # 2**32 * base is past any cap
        seconds = min(self.cap, self.base * 2 ** exponent)
        return timedelta(seconds=seconds * (1.0 - self.jitter * rng.random()))
