#!/usr/bin/python3
"""Oracle: how FlowMeter reads backend/.env (python-dotenv + pydantic settings).

Usage: /usr/bin/python3 flowmeter_read.py FILE [FILE...]

Run it with Debian's /usr/bin/python3 (python3-dotenv 0.21; optionally
python3-pydantic 1.10 for the second opinion in "pydantic_host"). The
process's own environment (os.environ) plays FlowMeter's environment: it is
used for ${VAR} interpolation and it beats the file.

For each FILE, one JSON line (json.dumps, ensure_ascii=True, sort_keys=True):

  file          FILE as given
  error         null, or a one-line "ExceptionType: message" when reading the
                file fails (e.g. UnicodeDecodeError for non-UTF-8 bytes).
                A missing file is an empty file, not an error. When error is
                set FlowMeter would refuse to start: dotenv and folded are []
                and host, host_source, port_raw, port_source are null.
  dotenv        [[key, value or null], ...]: dotenv_values(FILE,
                encoding="utf-8") in its order (interpolation on)
  folded        [[key.lower(), value or null], ...]: the dotenv items folded
                as pydantic does ({k.lower(): v for k, v in items}: the first
                spelling keeps its place, later items overwrite the value)
  host          effective HOST string
  host_source   "environment" | "file" | "default"
  port_raw      effective PORT string before int(), null when it is the default
  port_source   "environment" | "file" | "default"
  pydantic_host host read by a pydantic v1 BaseSettings subclass with
                env_file=FILE (or "ERROR: ..."); null when pydantic v1's
                BaseSettings cannot be imported

Effective value: an environment variable whose name .lower() is "host"
("port") wins (if several, the last in os.environ order, as pydantic's
{k.lower(): v for k, v in os.environ.items()}); else the folded file value
if it is not None (a bare key is "unset"); else the default ("0.0.0.0",
"8000"). "HOST=" gives "", which is a value, not the default.
"""
import json
import logging
import os
import sys

from dotenv import dotenv_values

# python-dotenv logs "could not parse statement" warnings; keep stderr clean.
logging.getLogger("dotenv").setLevel(logging.CRITICAL)

DEFAULTS = {"host": "0.0.0.0", "port": "8000"}

try:
    from pydantic import BaseSettings  # pydantic v1 only
except Exception:  # ImportError, or pydantic v2's PydanticImportError
    BaseSettings = None


def one_line(exc):
    text = "%s: %s" % (type(exc).__name__, exc)
    return " ".join(text.splitlines())


def env_folded():
    # Exactly pydantic v1's EnvSettingsSource: {k.lower(): v for os.environ}.
    return {k.lower(): v for k, v in os.environ.items()}


def pydantic_host(path):
    if BaseSettings is None:
        return None
    try:
        class S(BaseSettings):
            host: str = "0.0.0.0"
            port: str = "8000"

            class Config:
                env_file = path
                env_file_encoding = "utf-8"

        return S().host
    except Exception as exc:
        return "ERROR: " + one_line(exc)


def read(path):
    out = {
        "file": path,
        "error": None,
        "dotenv": [],
        "folded": [],
        "host": None,
        "host_source": None,
        "port_raw": None,
        "port_source": None,
        "pydantic_host": pydantic_host(path),
    }
    try:
        # By path: python-dotenv opens it itself (text mode, utf-8,
        # universal newlines), exactly as pydantic's read_env_file does.
        values = dotenv_values(path, encoding="utf-8")
    except Exception as exc:
        out["error"] = one_line(exc)
        return out

    out["dotenv"] = [[k, v] for k, v in values.items()]
    folded = {}
    for k, v in values.items():
        folded[k.lower()] = v
    out["folded"] = [[k, v] for k, v in folded.items()]

    env = env_folded()
    for name, value_key, source_key in (("host", "host", "host_source"),
                                        ("port", "port_raw", "port_source")):
        if name in env:
            value, source = env[name], "environment"
        elif folded.get(name) is not None:
            value, source = folded[name], "file"
        else:
            value, source = DEFAULTS[name], "default"
        if name == "port" and source == "default":
            value = None
        out[value_key] = value
        out[source_key] = source
    return out


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: %s FILE [FILE...]\n" % argv[0])
        return 2
    w = sys.stdout.write
    for path in argv[1:]:
        w(json.dumps(read(path), ensure_ascii=True, sort_keys=True) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
