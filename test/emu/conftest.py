"""conftest.py: what the emulator tests share: the emulators and media (emulators.py), the checks every
boot makes, and the fixture that says the build products are there.

Every run is bounded by a timeout; a run that hits it is reported as such
(RunResult.timed_out) so a hang fails the test that caused it.
"""
import re

import pytest

from emulators import (BUILD, ROOT, BochsConsole, RunResult, make_iso, make_native_iso,  # noqa: F401 (re-exported)
                       run_bochs, run_qemu)


def assert_booted(res, *, cpus=None):
    """The checks every boot path shares: banner, memory map summary, ready line, clean end."""
    assert not res.timed_out, res.explain()
    assert re.search(r"^\[cpu0\] apicvisor \S+: a micro-hypervisor", res.log, re.M), res.explain()
    m = re.search(r"^\[cpu0\] mem: summary: (\d+) MiB usable.*?(\d+) free pages$", res.log, re.M)
    assert m and int(m.group(1)) > 64 and int(m.group(2)) > 1000, res.explain()
    ready = res.ready()
    assert ready is not None, res.explain()
    if cpus is not None:
        assert ready["cpus"] == cpus, res.explain()
    assert "HV PANIC" not in res.log and "HV STOPPED" not in res.log, res.explain()
    return ready


@pytest.fixture(scope="session")
def built():
    """The build products the emulator tests boot; `make test` builds them first."""
    for f in ("hv.elf", "apicvisor.iso"):
        assert (BUILD / f).exists(), f"{BUILD / f} missing: run `make test` (it builds first)"
    return BUILD
