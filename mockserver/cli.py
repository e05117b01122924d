"""The command line: `mockserver serve | check | export`. It parses and forwards, nothing else."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from mockserver import __version__
from mockserver.errors import ConfigError
from mockserver.settings import DEFAULT_MAX_BODY, ENV_PREFIX, Settings, env_defaults, parse_size

_ABOUT = """\
mockserver serves a mock of a Django REST Framework API from its OpenAPI spec
(the Users API unless you give another, such as drf-spectacular's output): the
same filters, pages, tokens and error bodies as the real service, over
deterministic generated data.

Start it with `mockserver serve`, then open the URL it prints or paste its curl
line."""
_SERVE = """\
Serve the mock API, on http://127.0.0.1:8000 unless --host and --port say
otherwise. The banner gives the URL, a working token and a curl line. SIGTERM
or Ctrl-C stops it once the requests in flight are answered (at most
--graceful-timeout seconds); a second Ctrl-C stops it at once."""
_SERVE_EXITS = """\
exit codes:
  0    stopped by SIGTERM or Ctrl-C
  2    a bad setting, spec or fixture, or a port or host it cannot listen on:
       one line "mockserver: error: ..." on stderr, before anything is served
  130  a second Ctrl-C cut the requests in flight short"""
_HELP = {
    "host": "address to listen on",
    "port": "port to listen on (0 picks a free one)",
    "seed": "seed of the generated records; the same seed gives the same bytes",
    "size": "records per collection (ids 1..N; personas replace their ids; a collection's "
    "x-resource size overrides it)",
    "users": "the same as --size (default: --size)",
    "fixtures": "directory with personas.yaml, groups.yaml, permissions.yaml, tokens.yaml",
    "spec": "OpenAPI file to serve instead of the packaged one",
    "overlay": "an OpenAPI Overlay 1.0 file of annotations (x-faker, x-resource, x-filter, "
    "x-fixtures) for the spec, which stays untouched",
    "token": "an extra accepted API key, owned by the staff persona (repeatable)",
    "lenient": "answer exactly as the real service does, quirks included",
    "page_size": "default page size",
    "max_page_size": "largest page size",
    "workers": "uvicorn worker processes",
    "cache_dir": "where generated datasets are cached ('' for none)",
    "validate_responses": "check every response against the spec (slower)",
    "base_path": "serve under a prefix such as /api/v1",
    "log_level": "uvicorn's log level: critical, error, warning, info, debug or trace",
    "watch": "reload the spec and fixtures when they change (a bad edit keeps the last good)",
    "cors_origin": "allow this browser origin, e.g. http://localhost:3000 (repeatable; "
    "default: any localhost, 127.0.0.1 or [::1] origin; '*' for any)",
    "latency": "wait before each API answer, in ms: 200, or a uniform range like 100-400 "
    "(seeded by --seed)",
    "error_rate": "answer this share of API requests (0 to 1, like 0.05) with the documented "
    "503 (seeded by --seed)",
    "access_log": "print one line per request on stderr (method, path, status, time)",
    "journal": "API requests kept for GET /__mock/requests (0 turns the journal off)",
    "state_url": "keep every session's writes in this Redis or Valkey, shared by every "
    "process on the same URL, like redis://localhost:6379/0 (default: this process's memory; "
    "needed with --workers 2 or more when the spec has writes)",
    "state_file": "load the default session's writes from this JSON file at start and keep "
    "them saved there (atomically), so that they survive a restart",
    "cache_max": "size cap of the dataset cache, like 500MB or 2GB ('0' for none); the least "
    "recently used datasets are removed first",
    "graceful_timeout": "seconds SIGTERM or Ctrl-C wait for requests in flight",
    "max_url": "longest request target in bytes (longer: 414)",
    "max_header_bytes": "most bytes of request headers (more: 431)",
    "max_headers": "most request header lines (more: 431)",
    "header_timeout": "seconds a client has to send a request's headers",
    "keepalive_timeout": "seconds an idle kept-alive connection stays open",
    "max_concurrency": "most requests in flight (more: 503 with Retry-After)",
    "body_timeout": "seconds a client has to send a request's body after its headers (slower: 408)",
    "max_pipeline": "most requests a connection may pipeline behind the one being answered "
    "(more wait unread)",
    "allowed_host": "answer this Host too, like Django's ALLOWED_HOSTS: a name, .domain for "
    "it and its subdomains, or '*' for any (repeatable; default: the loopback names and "
    "--host; any other Host is 400)",
}
_DATA = ("seed", "size", "users", "fixtures", "spec", "overlay", "cache_dir")
_EMPTY = {"fixtures": "the packaged ones", "spec": "the packaged one"}  # else "none"


def _shown(name: str, value) -> str:
    """A default as `--help` prints it: 8000, off, none, the packaged ones."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if value in ("", (), []):
        return _EMPTY.get(name, "none")
    if isinstance(value, (tuple, list)):
        return " ".join(value)
    return str(value).replace("%", "%%")  # argparse %-formats help texts


def _add(parser: argparse.ArgumentParser, names, defaults: dict) -> None:
    for spec_field in fields(Settings):
        if spec_field.name not in names:
            continue
        flag = "--" + spec_field.name.replace("_", "-")
        env = ENV_PREFIX + spec_field.name.upper()
        default = defaults.get(spec_field.name, getattr(Settings(), spec_field.name))
        help_text = _HELP[spec_field.name]
        if "default:" not in help_text:  # some say it in words
            help_text += f" (default: {_shown(spec_field.name, default)})"
        help_text += f" [env {env}]"
        if spec_field.type == "bool":
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=default, help=help_text
            )
        elif spec_field.type.startswith("tuple"):
            metavar = spec_field.name.rpartition("_")[2].upper()  # TOKEN, ORIGIN
            parser.add_argument(
                flag, action="append", default=list(default), help=help_text, metavar=metavar
            )
        else:
            kind = {"int": int, "float": float, "int | None": int}.get(spec_field.type, str)
            parser.add_argument(flag, type=kind, default=default, help=help_text)


def parser(environ=None) -> argparse.ArgumentParser:
    defaults = env_defaults(environ)
    # Raw descriptions: the paragraphs and the table of exit codes keep their lines; each
    # flag's help is still wrapped to the terminal.
    raw = argparse.RawDescriptionHelpFormatter
    root = argparse.ArgumentParser(
        prog="mockserver",
        description=_ABOUT,
        epilog="`mockserver COMMAND --help` lists a command's flags and their defaults.",
        formatter_class=raw,
    )
    root.add_argument("--version", action="version", version=f"mockserver {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the mock API",
        description=_SERVE,
        epilog=_SERVE_EXITS,
        formatter_class=raw,
    )
    _add(serve, [f.name for f in fields(Settings)], defaults)
    check = commands.add_parser(
        "check",
        help="validate the spec and the fixtures, and report how each operation is served",
        description="Validate the spec and the fixtures, and list every operation with how "
        "the mock serves it (collection, detail, nested collection, action, generated from "
        "its schema, ...) and every query parameter as modelled or accepted but not "
        "modelled. Warnings name what the spec has that the mock does not model; they never "
        "stop a start. Exit 0, or 2 with one line naming the file and the place.",
    )
    _add(check, ("fixtures", "spec", "overlay"), defaults)
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--strict", action="store_true", help="exit 2 when there are warnings, too")
    export = commands.add_parser(
        "export",
        help="write the dataset as a JSON array, by id",
        description="Write exactly the records `serve` would serve, as a JSON array sorted "
        "by id (for frontend unit tests and snapshots).",
    )
    _add(export, _DATA, defaults)
    export.add_argument(
        "-o", "--output", default="-", help="file to write (default: -, which is stdout)"
    )
    verify = commands.add_parser(
        "verify",
        help="check a running real service against the contract and its semantics",
        description="Provider verification: send a corpus made from the spec and the "
        "service's own records (GET, HEAD and OPTIONS only) and check each answer against "
        "the contract and against the mock's engine loaded with those records. Exit 0, "
        "or 1 with every violation named.",
    )
    verify.add_argument("--upstream", required=True, help="the service's base URL")
    verify.add_argument("--token", required=True, help="an API key of the service")
    _add(verify, ("spec", "overlay"), defaults)
    verify.add_argument("--junit-xml", default="", help="write a JUnit XML report here")
    verify.add_argument("--json", default="", help="write a JSON report here")
    verify.add_argument("--max-requests", type=int, default=2000, help="at most this many")
    verify.add_argument("--rate", type=float, default=0.0, help="requests per second (0: no cap)")
    verify.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per request, its body included"
    )
    verify.add_argument("--max-body", type=_size, default=DEFAULT_MAX_BODY, help=_MAX_BODY)
    proxy = commands.add_parser(
        "proxy",
        help="a validating proxy in front of the real service",
        description="Forward every request to --upstream and check the request and the "
        "answer against the contract: violations go to the X-Mockserver-Violations header "
        "and to --report; with --fail-on-violation the answer becomes a 502 naming them.",
    )
    proxy.add_argument("--upstream", required=True, help="the service's base URL")
    _add(proxy, ("spec", "host", "port", "graceful_timeout"), defaults)
    proxy.add_argument("--report", default="", help="append violations here, a JSON line each")
    proxy.add_argument(
        "--fail-on-violation", action="store_true", help="answer 502 instead of a violating answer"
    )
    proxy.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds per upstream answer, its body included; slower is a 504 (default: 30)",
    )
    proxy.add_argument("--max-body", type=_size, default=DEFAULT_MAX_BODY, help=_MAX_BODY)
    export.add_argument(
        "--path",
        default="",
        help="the collection to write, by its list path like /products/ (default: the only "
        "one, or the one tokens belong to)",
    )
    return root


def main(argv=None) -> int:
    try:
        args = parser().parse_args(argv)
        values = {f.name: getattr(args, f.name) for f in fields(Settings) if hasattr(args, f.name)}
        for spec_field in fields(Settings):
            if spec_field.type.startswith("tuple") and spec_field.name in values:
                values[spec_field.name] = tuple(values[spec_field.name])
        settings = Settings(**values)
        if args.command == "serve":
            from mockserver.http.server import run

            return run(settings)
        if args.command == "check":
            return _check(settings, as_json=args.json, strict=args.strict)
        if args.command == "verify":
            return _verify(args)
        if args.command == "proxy":
            return _proxy(settings, args)
        return _export(settings, args.output, args.path)
    except ConfigError as error:
        print(f"mockserver: error: {error}", file=sys.stderr)
        return ConfigError.exit_code
    except KeyboardInterrupt:
        return 130


def _check(settings: Settings, as_json: bool = False, strict: bool = False) -> int:
    import orjson

    from mockserver import state
    from mockserver.contract import compatibility

    # Every rule is compiled and a record of each resource generated and validated.
    loaded = state.load(Settings(**{**vars(settings), "size": 1, "cache_dir": ""}))
    spec = loaded.spec
    if as_json:
        sys.stdout.buffer.write(
            orjson.dumps(compatibility.report(spec), option=orjson.OPT_INDENT_2)
        )
        sys.stdout.write("\n")
    else:
        print(compatibility.text(spec))
        for warning in spec.warnings:
            print(f"mockserver: warning: {warning}", file=sys.stderr)
        fixtures = loaded.fixtures
        counts = [f"{len(fixtures.personas)} personas"] if fixtures.personas_of else []
        counts += [f"{len(records)} {name}" for name, records in fixtures.files.items()]
        counts.append(f"{len(loaded.tokens)} tokens")
        names = ", ".join(served.resource.path for served in loaded.served.values())
        print(f"ok: {spec.path} ({names}) and {', '.join(counts)} are valid")
        print(f"served: {compatibility.summary(spec)}")
    if strict and spec.warnings:
        count = len(spec.warnings)
        print(
            f"mockserver: error: {spec.path}: {count} warning{'s' if count != 1 else ''} "
            "(check --strict)",
            file=sys.stderr,
        )
        return ConfigError.exit_code
    return 0


def _size(text: str) -> int:
    """An argparse type: a size like 16MB, in bytes."""
    size = parse_size(text)
    if size is None or size < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 16MB or 500KB")
    return size


_MAX_BODY = (
    f"largest body read from the service, decoded, and (proxy) from a client "
    f"(default: {DEFAULT_MAX_BODY})"
)


def _proxy(settings: Settings, args) -> int:
    from mockserver.contract import packaged
    from mockserver.contract.spec import Spec
    from mockserver.tools import proxy
    from mockserver.tools.upstream import Limits

    spec = Spec.load(Path(settings.spec) if settings.spec else packaged.spec_path())
    report = Path(args.report) if args.report else None
    limits = Limits(args.timeout, args.max_body)
    return proxy.run(
        spec, args.upstream, settings.host, settings.port, report, args.fail_on_violation,
        limits, settings.graceful_timeout,
    )  # fmt: skip


def _verify(args) -> int:
    import httpx

    from mockserver.tools import verify

    options = verify.Options(
        upstream=args.upstream,
        token=args.token,
        spec=args.spec,
        overlay=args.overlay,
        max_requests=args.max_requests,
        rate=args.rate,
        timeout=args.timeout,
        max_body=args.max_body,
    )
    try:
        report = verify.verify(options)
    except httpx.HTTPError as exc:
        raise ConfigError(f"upstream {args.upstream}", f"cannot be reached: {exc}") from None
    print(verify.summary(report))
    if args.junit_xml:
        verify.write_junit(report, Path(args.junit_xml))
    if args.json:
        verify.write_json(report, Path(args.json))
    return 1 if report.violations else 0


def _export(settings: Settings, output: str, path: str = "") -> int:
    from mockserver import state

    loaded = state.load(settings)
    if path:
        served = loaded.served.get(path)
        if served is None:
            known = ", ".join(loaded.served)
            raise ConfigError(f"setting path {path!r}", f"is no resource of the spec ({known})")
        dataset = served.dataset
    else:
        dataset = loaded.dataset
    data = b"[" + b",".join(dataset.records(range(len(dataset)))) + b"]"
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise ConfigError(output, f"cannot be written: {exc.strerror}") from None
    return 0
