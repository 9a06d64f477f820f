"""What the azure-native SDK says about a resource type: can it carry tags, does it have a location.

Decided from the installed SDK itself, not a hand list: the type token `azure-native:network:PublicIPAddress`
is declared by `@pulumi.type_token(...)` in `pulumi_azure_native/network/public_ip_address.py`, and the
type is taggable if that module's Args class takes a `tags` argument (likewise `location`). The module's
source is parsed, not imported: importing `pulumi_azure_native.network` alone takes about a second.
Answers are cached per process; the SDK version pins them.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class TypeSchema:
    """The arguments of one resource type, as its SDK declares them."""

    known: bool
    arguments: frozenset[str] = frozenset()

    @property
    def taggable(self) -> bool:
        return "tags" in self.arguments

    @property
    def has_location(self) -> bool:
        return "location" in self.arguments


UNKNOWN_TYPE = TypeSchema(known=False)


@cache
def _sdk_root() -> Path | None:
    spec = importlib.util.find_spec("pulumi_azure_native")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


@cache
def type_schema(type_token: str) -> TypeSchema:
    """The SDK's arguments for `type_token`; `known=False` for types the azure-native SDK does not define."""
    package, _, rest = type_token.partition(":")
    module, _, class_name = rest.rpartition(":")
    root = _sdk_root()
    if package != "azure-native" or not module or not class_name or root is None:
        return UNKNOWN_TYPE
    folder = root.joinpath(*module.split("/"))
    source = _module_source(folder, type_token, class_name)
    if source is None:
        return UNKNOWN_TYPE
    arguments = _args_class_arguments(source, class_name)
    return TypeSchema(known=arguments is not None, arguments=frozenset(arguments or ()))


def _module_source(folder: Path, type_token: str, class_name: str) -> str | None:
    marker = f'@pulumi.type_token("{type_token}")'
    guess = folder / f"{_snake(class_name)}.py"
    if guess.is_file():
        text = guess.read_text(encoding="utf-8")
        if marker in text:
            return text
    # Acronyms snake-case unpredictably (e.g. `IPAddress`): look through the module for the token.
    for candidate in sorted(folder.glob("*.py")) if folder.is_dir() else ():
        text = candidate.read_text(encoding="utf-8")
        if marker in text:
            return text
    return None


def _args_class_arguments(source: str, class_name: str) -> list[str] | None:
    # Parse only the Args class's __init__ signature: parsing a whole SDK module costs ~20 ms each.
    signature = re.search(rf"^class {class_name}(?:Init)?Args:\n    def __init__\((.*?)\):\n", source,
                          re.MULTILINE | re.DOTALL)
    if signature is not None:
        try:
            function = ast.parse(f"def __init__({signature.group(1)}): pass").body[0]
        except SyntaxError:
            function = None
        if isinstance(function, ast.FunctionDef):
            return [argument.arg for argument in function.args.args + function.args.kwonlyargs]
    return _args_class_arguments_from_module(source, class_name)


def _args_class_arguments_from_module(source: str, class_name: str) -> list[str] | None:
    tree = ast.parse(source)
    wanted = {f"{class_name}Args", f"{class_name}InitArgs"}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in wanted:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    arguments = item.args.args + item.args.kwonlyargs
                    return [argument.arg for argument in arguments]
    return None


def taggable(type_token: str) -> bool:
    """True if the SDK lets this type carry tags."""
    return type_schema(type_token).taggable


def has_location(type_token: str) -> bool:
    """True if the SDK gives this type a `location` argument (types without one have no region)."""
    return type_schema(type_token).has_location
