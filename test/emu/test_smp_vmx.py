"""test_smp_vmx.py: every CPU found and started, every core in VMX root or a precise reason why not."""
import re

import pytest

from conftest import BUILD, assert_booted, make_iso, run_bochs, run_qemu

ONLINE_RE = re.compile(r"^\[cpu(\d+)\] cpu: CPU (\d+) \(APIC ID (\d+)\) online, (.+)$", re.M)


def online(res):
    """{cpu id: (apic id, VMX state)} from the 'online' lines; each CPU logs its own."""
    out = {}
    for prefix, cpu, apic, state in ONLINE_RE.findall(res.log):
        assert prefix == cpu, f"CPU {cpu}'s line came from cpu{prefix}"
        assert int(cpu) not in out, f"CPU {cpu} came online twice"
        out[int(cpu)] = (int(apic), state)
    return out


def assert_all_online(res, n, state):
    ready = assert_booted(res, cpus=n)
    cpus = online(res)
    assert sorted(cpus) == list(range(n)), res.explain()
    assert len({apic for apic, _ in cpus.values()}) == n, "APIC IDs must be distinct"
    assert all(s == state for _, s in cpus.values()), res.explain()
    assert f"cpu: {n} of {n} listed CPU(s) online" in res.log, res.explain()
    return ready


@pytest.mark.parametrize("firmware", ["seabios", "ovmf"])
@pytest.mark.parametrize("smp", [1, 2, 4])
def test_qemu_tcg_starts_every_cpu_without_vmx(built, tmp_path, firmware, smp):
    res = run_qemu(tmp_path, iso=BUILD / "apicvisor.iso", firmware=firmware, smp=smp)
    ready = assert_all_online(res, smp, "no VMX")
    assert ready["vmx"] == "unsupported"
    assert "vmx: VMX: not available on this CPU" in res.log
    assert "-enable-kvm -cpu host" in res.log  # the hint for QEMU users
    assert f"cpu: {smp} processor(s) listed by the ACPI MADT" in res.log
    assert res.returncode == 1, res.explain()


@pytest.mark.parametrize("cpus", [1, 2, 4])
def test_bochs_skylake_every_core_in_vmx_root(built, tmp_path, cpus):
    res = run_bochs(tmp_path, iso=BUILD / "apicvisor.iso", cpus=cpus)
    ready = assert_all_online(res, cpus, "VMX root")
    assert ready["vmx"] == "on"
    assert f"cpu: {cpus} of {cpus} listed CPU(s) online, {cpus} in VMX root" in res.log
    # The capability report, as a user reads it.
    assert re.search(r"vmx: VMCS revision 0x[0-9a-f]+, 4096 bytes, WB; best interrupt delivery: vid$", res.log, re.M)
    assert re.search(r"vmx:   virtual-interrupt delivery\s+yes$", res.log, re.M), res.explain()
    assert re.search(r"vmx:   process posted interrupts\s+no$", res.log, re.M), res.explain()
    assert "guests: can run" in res.log


def test_bochs_ivy_bridge_reports_tpr_mode(built, tmp_path):
    res = run_bochs(tmp_path, iso=BUILD / "apicvisor.iso", cpus=2, model="corei7_ivy_bridge_3770k")
    assert_all_online(res, 2, "VMX root")
    assert re.search(r"best interrupt delivery: tpr$", res.log, re.M), res.explain()
    assert re.search(r"vmx:   virtual-interrupt delivery\s+no$", res.log, re.M), res.explain()


@pytest.mark.parametrize("model,missing", [
    ("core2_penryn_t9600", "EPT, unrestricted guest"),
    ("corei5_lynnfield_750", "unrestricted guest"),
])
def test_bochs_refusal_names_missing_features(built, tmp_path, model, missing):
    res = run_bochs(tmp_path, iso=BUILD / "apicvisor.iso", cpus=2, model=model)
    ready = assert_all_online(res, 2, "VMX lacks required features")
    assert ready["vmx"] == "off"
    assert f"ERROR: vmx: this CPU's VMX lacks what the hypervisor requires: {missing}; VMX stays off" in res.log


def test_vmx_raw_prints_every_capability_msr(built, tmp_path):
    res = run_bochs(tmp_path, iso=make_iso(tmp_path, cmdline="vmx.raw"), cpus=1)
    assert_booted(res)
    raw = re.findall(r"vmx: raw IA32_VMX_(\w+)\s+\((0x4[89][0-9a-f])\) = 0x([0-9a-f]{16})$", res.log, re.M)
    names = {n for n, _, _ in raw}
    assert {"BASIC", "PINBASED_CTLS", "PROCBASED_CTLS2", "EPT_VPID_CAP", "TRUE_PROCBASED_CTLS"} <= names, res.explain()
    basic = next(int(v, 16) for n, _, v in raw if n == "BASIC")
    assert basic & 0x7fffffff == 0x2b  # Bochs' VMCS revision id


def test_cpu_that_never_starts_is_named_and_left_out(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="debug.phantom_apic=9"), smp=2)
    assert "the processor with APIC ID 9 did not start within 200 ms: left out" in res.log, res.explain()
    ready = assert_booted(res, cpus=2)
    assert sorted(online(res)) == [0, 1]
    assert "cpu: 2 of 3 listed CPU(s) online" in res.log
    assert ready["vmx"] == "unsupported"


def test_bad_phantom_option_is_reported(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="debug.phantom_apic=x"))
    assert "debug.phantom_apic=x: expected an APIC ID; ignored" in res.log, res.explain()
    assert_booted(res, cpus=1)
