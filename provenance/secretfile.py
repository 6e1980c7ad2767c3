"""Secret files: the one reader of the PII key file, a Label Studio token file and the portal's session secret.

Each was read by its own code with its own rules (review 14): one capped its size and another did not read a pipe
twice, one opened a FIFO nobody wrote to and waited for ever. The rules, the same for every secret file:

* a regular file that every user of the machine may read or write (``chmod o-rw``; a group may: a service
  account's key file shared with the stewards' group) is refused in one line naming it, ``chmod 600`` and the ways on where modes cannot change (a mounted secret, a Windows drive): a private copy made with
  ``install -m 600 FILE COPY``, or a pipe on the command's line, ``VARIABLE=<(cat FILE)``;
* a folder, a FIFO no process writes to and an empty file are refused in one line, never waited on;
* at most :data:`MAX_SECRET_FILE_BYTES` are read (``/dev/urandom`` was read without end);
* a pipe (``<(cat FILE)``) is read once per process and what it held is kept: a command that reads the secret twice
  read it empty the second time;
* text is UTF-8 (an editor's byte-order mark dropped) or UTF-16 that starts with its mark (PowerShell 5.1's ``>``):
  :func:`secret_text`; callers drop the white space and line end around it.

No message quotes what the file holds.
"""

from __future__ import annotations

import fcntl
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ConfigError

__all__ = ["MAX_SECRET_FILE_BYTES", "SecretFile", "SecretFileTooLarge", "read_secret_file", "secret_text"]

#: the most a secret file may hold (a key or token is tens of bytes): a device (``/dev/urandom``) was read without end
MAX_SECRET_FILE_BYTES = 64 * 1024
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")

#: what a secret file that is no regular file (a pipe, ``<(cat FILE)``) held, by (device, inode): it is read once
_PIPED: dict[tuple[int, int], bytes] = {}


class SecretFileTooLarge(ConfigError):
    """A secret file over :data:`MAX_SECRET_FILE_BYTES` (a caller may add its own way on)."""


@dataclass(frozen=True, slots=True)
class SecretFile:
    """How a caller names its secret file in messages.

    ``what`` names it in a sentence (``the PII key file `F` (CURATE_PII_KEY_FILE)``); ``variable`` is the variable a
    pipe may be given in (None where there is none, a banks file's entry); ``then`` says what to do once fixed.
    """

    path: Path
    what: str
    variable: str | None = None
    then: str = "run the command again"
    command: str = ""

    def ways_on(self) -> str:
        p = self.path
        pipe = f", or pass it through a pipe on the command's line: {self.variable}=<(cat {p}){self.command}"
        return (
            f"where modes cannot change, a mounted secret or a Windows drive, name a private copy made with "
            f"`install -m 600 {p} COPY`{pipe if self.variable else ''}"
        )


def _refuse_shared(spec: SecretFile, st: os.stat_result) -> None:
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o006:
        raise ConfigError(
            f"{spec.what} can be read or written by every user of this machine (mode {mode:04o}); make it private "
            f"with `chmod 600 {spec.path}` and {spec.then} ({spec.ways_on()})"
        )


def read_secret_file(spec: SecretFile) -> bytes:
    """The bytes of the secret file ``spec.path`` (see the module docstring for the rules).

    Raises:
        ConfigError: unreadable, shared with every user, a folder, empty (a FIFO nobody wrote
            to), or (:class:`SecretFileTooLarge`) over the cap.
    """
    p = spec.path
    try:
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) in _PIPED:
            return _checked(spec, st, _PIPED[st.st_dev, st.st_ino])
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"cannot read {spec.what}: it is a folder; name the file that holds the secret")
        # not blocking: a FIFO that no process has open for writing was waited on for ever
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode):
                _refuse_shared(spec, st)
            else:
                fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
            data = fh.read(MAX_SECRET_FILE_BYTES + 1)
    except OSError as exc:
        # `export CURATE_PII_KEY_FILE=<(cat FILE)`: the pipe is closed once the export's line ends
        closed = " (a pipe, `<(...)`, is open only for the command on whose line it is given, not after an `export`)"
        closed = closed if str(p).startswith(("/dev/fd/", "/proc/self/fd/")) else ""
        raise ConfigError(f"cannot read {spec.what}: {exc.strerror or exc}{closed}") from None
    if not stat.S_ISREG(st.st_mode):
        _PIPED[st.st_dev, st.st_ino] = data
    return _checked(spec, st, data)


def _checked(spec: SecretFile, st: os.stat_result, data: bytes) -> bytes:
    if stat.S_ISFIFO(st.st_mode) and not data:
        raise ConfigError(
            f"{spec.what} is a pipe that gave nothing (no process wrote to it, or it wrote nothing); name the "
            "file that holds the secret, or a pipe on the command's line that gives it (`<(cat FILE)`)"
        )
    if len(data) > MAX_SECRET_FILE_BYTES:
        raise SecretFileTooLarge(
            f"{spec.what} holds more than {MAX_SECRET_FILE_BYTES} bytes, which no secret file does (a device such as "
            "/dev/urandom, or the wrong file?)"
        )
    return data


def secret_text(data: bytes) -> str | None:
    r"""A secret file's text: UTF-8 (an editor's byte-order mark dropped), or UTF-16 that starts with its byte-order mark
    (PowerShell 5.1's ``>`` and ``Out-File``) and holds printable text; None for raw bytes.

    >>> secret_text("\ufeff3c3c\r\n".encode("utf-16-le")), secret_text(b"\xef\xbb\xbf3c3c\n"), secret_text(b"\xff\x00")
    ('3c3c\r\n', '3c3c\n', None)
    """
    if data.startswith(UTF16_MARKS):
        try:
            text = data.decode("utf-16")  # the mark names the byte order and is dropped
        except UnicodeDecodeError:
            return None
        return text if text.strip().isprintable() else None  # random bytes that start like a mark stay bytes
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
