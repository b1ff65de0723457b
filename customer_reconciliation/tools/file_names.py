"""The names of the files the addon hands out and keeps: one cleaner for all of them."""

import re

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')


def safe_filename(name):
    """``name`` with the characters that file systems refuse replaced by '-'."""
    return _UNSAFE_FILENAME.sub("-", name or "").strip()
