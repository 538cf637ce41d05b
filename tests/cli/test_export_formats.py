"""Every export format read back by a standard parser gives exactly the stored values; what a
format cannot carry is refused with an error naming the key, never the value."""

from __future__ import annotations

import configparser
import csv
import io
import json
import subprocess
import tomllib
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

import hcl2
import pytest
import yaml
from conftest import APP, PHASEKIT_BIN, Cli
from jproperties import Properties

FOLDER = "/formats"
# Values every format can carry (INI strips edge whitespace of lines, kv has no line breaks).
COMMON = {
    "PLAIN": "plain-value",
    "QUOTES": "she said \"hi\" and 'bye'",
    "BACKSLASH": "C:\\path\\to\\file \\n not a newline",
    "SYMBOLS": "a=b, c:d; #hash !bang &amp <tag> %percent% ${NOT_A_REF} %{directive}",
    "UNICODE": "héllo wörld ✓ 日本語 😀",
    "EMPTY": "",
}
MULTILINE = {"MULTILINE": "-----BEGIN-----\nline two\n-----END-----"}
EDGES = {"EDGES": "  leading and trailing spaces  ", "CONTROL": "tab\there\rcr"}


def seed(cli: Cli, values: dict[str, str]) -> None:
    env_file = cli.cwd / "seed.env"
    lines = []
    for key, value in values.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        lines.append(f'{key}="{escaped.replace(chr(13), chr(92) + "r").replace(chr(9), chr(92) + "t")}"')
    env_file.write_text("\n".join(lines) + "\n")
    cli.ok("secrets", "import", str(env_file), "--app", APP, "--path", FOLDER)
    stored = {i["key"]: i["value"] for i in cli.json(
        "secrets", "list", "--app", APP, "--path", FOLDER, "--show")}
    assert stored == values, "the seed itself went in unchanged"


def export(cli: Cli, fmt: str) -> str:
    # Bytes, decoded without newline translation: a carriage return must stay one.
    done = subprocess.run(
        [str(PHASEKIT_BIN), "secrets", "export", "--app", APP, "--path", FOLDER, "--format", fmt],
        cwd=cli.cwd, env=cli.env(), capture_output=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def read_ini(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(text)
    return dict(parser["DEFAULT"])


def read_properties(text: str) -> dict[str, str]:
    props = Properties()
    props.load(text.encode("latin-1"), "latin-1")
    return {key: value.data for key, value in props.items()}


def read_xml(text: str) -> dict[str, str]:
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == "Secrets"
    return {e.attrib["name"]: e.text or "" for e in root.findall("secret")}


def read_hcl(text: str) -> dict[str, str]:
    parsed = hcl2.loads(text)
    values = {}
    for block in parsed["variable"]:
        for name, body in block.items():
            values[name.strip('"')] = unquote_hcl(body["default"])
    return values


def unquote_hcl(value: str) -> str:
    # python-hcl2 returns string literals with their quotes and template escapes as written.
    if value.startswith('"') and value.endswith('"'):
        value = json.loads(value)
    return value.replace("$${", "${").replace("%%{", "%{")


def read_kv(text: str) -> dict[str, str]:
    # docker's --env-file: the rest of the line after the first `=`, literally.
    return dict(line.split("=", 1) for line in text.splitlines())


def read_csv(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Key", "Value"]
    return dict((row[0], row[1]) for row in rows[1:])


DOTENV_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r"}


def read_dotenv(text: str) -> dict[str, str]:
    # The dotenv rules (python-dotenv's, docker compose's): a double-quoted value with
    # backslash escapes.
    values = {}
    for line in text.split("\n")[:-1]:
        key, quoted = line.split("=", 1)
        assert quoted.startswith('"') and quoted.endswith('"')
        body, value, i = quoted[1:-1], [], 0
        while i < len(body):
            if body[i] == "\\":
                value.append(DOTENV_ESCAPES[body[i + 1]])
                i += 2
            else:
                value.append(body[i])
                i += 1
        values[key] = "".join(value)
    return values


READERS: dict[str, Callable[[str], dict[str, str]]] = {
    "dotenv": read_dotenv,
    "json": json.loads,
    "yaml": yaml.safe_load,
    "toml": tomllib.loads,
    "csv": read_csv,
    "xml": read_xml,
    "hcl": read_hcl,
    "ini": read_ini,
    "java_properties": read_properties,
    "kv": read_kv,
}
CARRIES_LINE_BREAKS = {"dotenv", "json", "yaml", "toml", "csv", "xml", "hcl", "ini", "java_properties"}
CARRIES_EDGES = {"dotenv", "json", "yaml", "toml", "csv", "xml", "hcl", "java_properties"}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_format_reads_back_exactly(cli: Cli, fmt: str) -> None:
    values = dict(COMMON)
    if fmt in CARRIES_LINE_BREAKS:
        values.update(MULTILINE)
    if fmt in CARRIES_EDGES:
        values.update(EDGES)
    if fmt == "hcl":
        # python-hcl2 decodes `\\n` and `\\t` as a backslash and a line break or tab (its bug;
        # HCL's own parser does not): backslashes before letters that are no escape only.
        values["BACKSLASH"] = "C:\\Windows\\System32 \\ end"
    seed(cli, values)
    assert READERS[fmt](export(cli, fmt)) == values


@pytest.mark.parametrize(("fmt", "values", "key"), [
    ("kv", MULTILINE, "MULTILINE"),
    ("ini", {"EDGES": EDGES["EDGES"]}, "EDGES"),
    ("xml", {"BELL": "ring\x07"}, "BELL"),
])
def test_what_a_format_cannot_carry_is_refused(cli: Cli, fmt: str, values: dict[str, str], key: str) -> None:
    env_file = cli.cwd / "one.env"
    value = values[key].replace("\n", "\\n")
    env_file.write_text(f'{key}="{value}"\n')
    cli.ok("secrets", "import", str(env_file), "--app", APP, "--path", FOLDER)
    done = cli("secrets", "export", "--app", APP, "--path", FOLDER, "--format", fmt)
    assert done.returncode == 1
    assert f'error[invalid_input]: secret "{key}" cannot be exported as {fmt}' in done.stderr
    assert values[key].strip() not in done.stderr
