# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test runs only: module processes reuse the compiled code of the sources they import from their payload.

A module runs from its AnsiballZ payload, a zip of its own source and every module_utils file it
needs, which Python's zipimport compiles from source in every module process, twice per file (once
to find it, once to load it): about half the CPU of a module run here. The test suite runs some 900
modules. With ``PARTNERCENTER_TESTS_CODE_CACHE`` naming a directory (tests/harness.py sets it, and
this directory on ``PYTHONPATH``, for pytest's playbook runs only), each compiled file is kept
there under a hash of its exact source, the Python version and the optimisation level, and a later
process with the same source loads it instead of compiling again.

What runs is unchanged: the source still comes from the payload (a file missing from the payload
still fails to import), and the code object is the one ``compile`` makes of it, with its file name
set to where this process found it. Only a compiler warning would show once instead of every run;
``ansible-test sanity`` (compile, pylint) is where such warnings are judged. The demo and the
benchmarks do not use this: they show what users run.
"""

import hashlib
import os
import sys

CACHE_DIR = os.environ.get('PARTNERCENTER_TESTS_CODE_CACHE')
# Code objects are marshalled in the running Python's own format: its version is part of every key.
KEY_PREFIX = ('%s-O%d\0' % (sys.implementation.cache_tag, sys.flags.optimize)).encode()


def entry_path(cache_dir, source):
    """Where the compiled code of ``source`` (bytes) is kept."""
    return os.path.join(cache_dir, hashlib.sha1(KEY_PREFIX + source).hexdigest())


def _install(cache_dir):
    """Wrap zipimport's compile step with a lookup in ``cache_dir``."""
    import _imp  # pylint: disable=import-outside-toplevel
    import marshal  # pylint: disable=import-outside-toplevel
    import zipimport  # pylint: disable=import-outside-toplevel

    compile_source = getattr(zipimport, '_compile_source', None)
    if compile_source is None:  # another Python's zipimport: compile as usual
        return

    def cached_compile_source(pathname, source):
        path = entry_path(cache_dir, source)
        try:
            with open(path, 'rb') as handle:
                # loads(read()): marshal.load on a file reads it in many small pieces, several times slower.
                code = marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            code = compile_source(pathname, source)
            partial = '%s.%d' % (path, os.getpid())
            try:
                with open(partial, 'wb') as handle:
                    handle.write(marshal.dumps(code))
                os.replace(partial, path)  # whole or not at all: other processes read it meanwhile
            except OSError:
                pass
            return code
        _imp._fix_co_filename(code, pathname)  # pylint: disable=protected-access
        return code

    zipimport._compile_source = cached_compile_source  # pylint: disable=protected-access


if CACHE_DIR:
    _install(CACHE_DIR)
