"""Importing deltanet stays light: neither torch nor matplotlib is loaded (SPEC §3)."""

import subprocess
import sys

CODE = """
import sys
import deltanet
import deltanet.nn, deltanet.nn.functional, deltanet.nn.init
heavy = sorted(m for m in ("torch", "matplotlib") if m in sys.modules)
print("loaded:", heavy)
sys.exit(1 if heavy else 0)
"""


def test_import_deltanet_loads_neither_torch_nor_matplotlib():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded: []" in result.stdout


def test_the_check_itself_detects_a_heavy_import():
    """Guard against a vacuous check: with a (stand-in) torch module loaded the same script must fail."""
    fake_torch = "import sys, types\nsys.modules['torch'] = types.ModuleType('torch')\n"
    result = subprocess.run([sys.executable, "-c", fake_torch + CODE], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "'torch'" in result.stdout
