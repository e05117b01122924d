"""YAML reading that keeps dates as text and turns syntax errors into ConfigError."""

from __future__ import annotations

from pathlib import Path

import yaml

from mockserver.errors import ConfigError

# libyaml's parser where PyYAML has it (its wheels do): ten times faster on the spec, which
# counts at every start. Same safe constructor and resolver either way.
_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDatesLoader(_SAFE):
    """A safe loader without the timestamp resolver: `2020-01-01` stays the string the spec
    types."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path, text: str | bytes | None = None):
    """Parse a YAML file, naming the file and the line when it is broken."""
    try:
        if text is None:
            text = path.read_bytes()
        return yaml.load(text, Loader=_TextDatesLoader)  # a SafeLoader subclass
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), f"is not valid YAML{where}: {problem}") from None
