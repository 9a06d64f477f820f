"""Import the azure-native SDK with its annotations left unevaluated: the largest part of `estate synth`'s start-up.

`pulumi_azure_native.network` alone declares about 1,100 input and output classes whose every signature and
getter carries a `typing` annotation (`pulumi.Input[Optional[Sequence[pulumi.Input['SubResourceArgs']]]]`).
Evaluating those annotations while the module runs is most of its import time (about 1.5 s of a 5 s
`estate synth --all` on a 2-core machine), and nothing reads them at import. Pulumi itself resolves them only
when it (de)serialises a type, with `typing.get_type_hints` and the class's module globals, which accepts
annotations kept as strings (PEP 563, `from __future__ import annotations`, which Pulumi supports in user
programs) exactly as it accepts evaluated ones.

`deferred_sdk_annotations()` installs an import finder for `pulumi_azure_native.*` only, which compiles each
module with that one compiler flag and keeps the bytecode in its own cache (never beside the SDK's own `.pyc`
files): `$ESTATE_BYTECODE_CACHE`, else `$XDG_CACHE_HOME/estate/sdk-bytecode`, else `~/.cache/estate/...`,
keyed by the Python version, the module's path, size and modification time. An unwritable cache only means
compiling again next time. Set `ESTATE_SDK_ANNOTATIONS=eager` to import the SDK as shipped.
"""

from __future__ import annotations
import __future__ as future_flags

import hashlib
import importlib.abc
import importlib.machinery
import marshal
import os
import re
import sys
import tempfile
from pathlib import Path

PACKAGE = "pulumi_azure_native"
CACHE_ENV = "ESTATE_BYTECODE_CACHE"
MODE_ENV = "ESTATE_SDK_ANNOTATIONS"
_FLAGS = future_flags.annotations.compiler_flag
_TAG = f"{sys.implementation.cache_tag}-pep563-lazy-2"


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "estate" / "sdk-bytecode"


class DeferredAnnotationsLoader(importlib.machinery.SourceFileLoader):
    """A source loader that compiles with PEP 563 annotations and caches that bytecode apart from the SDK's.

    A service package (`pulumi_azure_native.network`) re-exports every one of its ~300 resource modules with
    `from .x import *`; its `__init__` is compiled instead with those star-imports replaced by a module
    `__getattr__` (PEP 562) that imports the module defining a name when the name is first read. `network.Subnet`
    is then the very same class; only the modules a program uses are imported.
    """

    def get_code(self, fullname: str):  # type: ignore[override]
        path = self.get_filename(fullname)
        stat = os.stat(path)
        key = hashlib.sha256(f"{_TAG}\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:32]
        cached = cache_dir() / f"{fullname}.{key}.pyc"
        try:
            return marshal.loads(cached.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
        source = self.get_data(path).decode("utf-8")
        if os.path.basename(path) == "__init__.py" and fullname.count(".") == 1:
            source = lazy_package_source(source, Path(path).parent)
        code = compile(source, path, "exec", flags=_FLAGS, dont_inherit=True)
        _store(cached, marshal.dumps(code))
        return code


_STAR_IMPORT = re.compile(r"^from \.(\w+) import \*$", re.MULTILINE)
_ALL = re.compile(r"^__all__ = \[(.*?)\]", re.MULTILINE | re.DOTALL)
_EAGER = frozenset({"_enums", "_inputs"})  # shared by every resource module, and holding the Args classes
_LAZY_TAIL = """

def __getattr__(name):
    module = _ESTATE_LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_ESTATE_LAZY_NAMES))
"""


def lazy_package_source(source: str, folder: Path) -> str:
    """The package's `__init__` source with its resource modules' star-imports made lazy (unchanged if unsure)."""
    names: dict[str, str] = {}
    for module in _STAR_IMPORT.findall(source):
        if module in _EAGER:
            continue
        try:
            text = (folder / f"{module}.py").read_text(encoding="utf-8")
        except OSError:
            return source
        declared = _ALL.search(text)
        if declared is None:
            return source
        for name in re.findall(r"'(\w+)'", declared.group(1)):
            names.setdefault(name, module)
    if not names:
        return source
    kept = _STAR_IMPORT.sub(lambda match: match.group(0) if match.group(1) in _EAGER else "", source)
    return kept + f"\n_ESTATE_LAZY_NAMES = {names!r}\n" + _LAZY_TAIL


def _store(path: Path, data: bytes) -> None:
    """Write the cache entry atomically (temp file + rename); a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        pass


class DeferredAnnotationsFinder(importlib.abc.MetaPathFinder):
    """Finds `pulumi_azure_native` modules as usual, and hands their source to `DeferredAnnotationsLoader`."""

    def find_spec(self, fullname, path, target=None):
        if fullname != PACKAGE and not fullname.startswith(PACKAGE + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        spec.loader = DeferredAnnotationsLoader(fullname, spec.origin)
        return spec


def deferred_sdk_annotations() -> bool:
    """Install the finder (once, before the SDK is imported); True if the SDK will be imported through it."""
    if os.environ.get(MODE_ENV, "").lower() == "eager":
        return False
    if any(isinstance(finder, DeferredAnnotationsFinder) for finder in sys.meta_path):
        return True
    if PACKAGE in sys.modules:
        return False  # already imported as shipped; mixing the two would gain nothing
    sys.meta_path.insert(0, DeferredAnnotationsFinder())
    return True


def sdk_annotations_deferred() -> bool:
    """True if the loaded azure-native SDK came through the finder."""
    module = sys.modules.get(PACKAGE)
    return module is not None and isinstance(getattr(module, "__loader__", None), DeferredAnnotationsLoader)
