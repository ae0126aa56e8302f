"""deltanet.memory: `import deltanet` keeps freed memory mapped (glibc), so that a loop allocating the same
big arrays every step stops page-faulting on fresh pages; DELTANET_KEEP_FREED_MEMORY=0 turns it off."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

import deltanet as dn
from deltanet import memory

glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                           reason="the policy is set through glibc's mallopt")

CHURN = """
import resource
import numpy as np
import deltanet

def churn():
    arrays = [np.ones(1 << 20) for _ in range(3)]   # three 8 MiB arrays, every page written
    del arrays

churn()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    churn()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def faults_per_step(env_value: str, monkeypatch) -> float:
    monkeypatch.setenv(memory.ENV, env_value)
    out = subprocess.run([sys.executable, "-c", CHURN], capture_output=True, text=True, check=True)
    return float(out.stdout)


@glibc
def test_import_keeps_freed_memory_and_the_environment_turns_it_off(monkeypatch):
    untuned = faults_per_step("0", monkeypatch)
    if untuned < 500:
        pytest.skip(f"this malloc keeps the memory anyway ({untuned:.0f} page faults per step untuned)")
    assert faults_per_step("1", monkeypatch) < 20      # 3 × 2048 pages allocated per step, none fresh


@glibc
def test_keep_freed_memory_reports_what_it_did(monkeypatch):
    assert dn.keep_freed_memory() is True
    monkeypatch.setenv(memory.ENV, "0")
    assert dn.keep_freed_memory() is False
