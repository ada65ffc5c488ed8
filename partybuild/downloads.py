"""Files the portal writes for a download (Excel exports, error reports)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Any


def written_file(write: Callable[[IO[bytes]], Any]) -> IO[bytes]:
    """A temporary file filled by ``write`` and rewound. FileResponse closes it (and so the system
    deletes it) once the response has been sent; if writing fails it is closed here."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (handed to FileResponse, which closes it)
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
