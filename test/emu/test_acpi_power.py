"""test_acpi_power.py: the guest's ACPI tables, CPUID's TSC rate and topology, poweroff (S5) and reboot (RESET_REG)."""
import re

from conftest import BUILD, assert_booted, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[acpi\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)


def run(tmp_path, cmdline):
    config = f'guest name=acpi cpus=0-1 memory=16M image=acpi_power.elf cmdline="{cmdline}"\n'
    iso = make_iso(tmp_path, cmdline="onpanic=poweroff", config=config,
                   modules={"acpi_power.elf": (BUILD / "guest" / "acpi_power.elf").read_bytes()})
    res = run_bochs(tmp_path, iso=iso, cpus=2, mem=512, timeout=240)
    assert_booted(res, cpus=2)
    assert "not ok" not in res.log, res.explain()
    return res


def test_tables_cpuid_and_poweroff(built, tmp_path):
    res = run(tmp_path, "")
    summaries = SUMMARY_RE.findall(res.log)
    assert len(summaries) == 1 and int(summaries[0][0]) >= 30 and summaries[0][1] == "0", res.explain()
    assert "guest acpi: powered off (ACPI S5 through the sleep control register)" in res.log, res.explain()
    assert "acpi_power: still running after S5" not in res.log
    # The unsupported sleep type the guest tries first is said once.
    assert res.log.count("guest acpi: sleep type 1 through the sleep control register") == 1, res.explain()
    assert "all guests have ended: powering off" in res.log


def test_reset_register_reboots_then_poweroff(built, tmp_path):
    res = run(tmp_path, "reset=1")
    assert "[acpi] acpi_power: writing the reset register" in res.log, res.explain()
    assert "guest acpi: reboot (ACPI reset register)" in res.log, res.explain()
    assert "guest acpi: start 2" in res.log, res.explain()
    assert "[acpi] acpi_power: start 2" in res.log, res.explain()
    summaries = SUMMARY_RE.findall(res.log)
    assert len(summaries) == 1 and summaries[0][1] == "0", res.explain()  # only the restarted guest reports
    assert res.log.index("reboot (ACPI reset register)") < res.log.index("[acpi] SUMMARY")
    assert "guest acpi: powered off (ACPI S5 through the sleep control register)" in res.log, res.explain()
    # Said again after the reboot: once per start.
    assert res.log.count("guest acpi: sleep type 1 through the sleep control register") == 2, res.explain()
