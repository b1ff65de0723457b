"""File names and types of the documents the addon hands out."""

import re

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')


def safe_filename(name):
    """``name`` with the characters that file systems refuse replaced by '-'."""
    return _UNSAFE_FILENAME.sub("-", name or "").strip()
