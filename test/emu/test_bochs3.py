"""test_bochs3.py: the hypervisor under Bochs 3.0 (Debian 13's, run in its own root), whose VMX has
posted-interrupt processing that Debian 12's Bochs 2.7 lacks."""
import re

from conftest import assert_booted, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)


def test_bochs3_offers_posted_interrupts_and_guests_pass(built, tmp_path):
    """The capability line names what the CPU has, whatever mode this build drives, so it stays true
    once the build drives posted interrupts too."""
    iso = make_iso(tmp_path, cmdline="onpanic=poweroff")
    res = run_bochs(tmp_path, iso=iso, cpus=2, model="corei7_skylake_x", mem=512, timeout=240, bochs3=True)
    ready = assert_booted(res, cpus=2)
    assert ready["vmx"] == "on", res.explain()
    assert re.search(r"^\[cpu0\] apicv: the CPU: posted: .*process posted interrupts are available$", res.log,
                     re.M), res.explain()
    summaries = SUMMARY_RE.findall(res.log)
    assert len(summaries) == ready["guests"] > 0, res.explain()
    assert all(failures == "0" for _, _, failures in summaries), res.explain()
    assert "all guests have ended: powering off" in res.log, res.explain()
