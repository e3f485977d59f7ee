*** Settings ***
Documentation     GICv4.0 direct injection of virtual LPIs: firmware-samples/vlpi-direct on platforms/virt-gicv4.repl (its
...               CPUs have bootExceptionLevel: 2, so the sample's EL2 monitor owns the ITS and the vPE and runs an EL1
...               guest). The guest's MSI reaches it directly while the vPE is resident; while it is not resident the
...               vLPI lands in the virtual pending table and the doorbell LPI is taken at EL2, which makes the vPE
...               resident again and the guest takes the vLPI. Expected lines: firmware-samples/expected/vlpi-direct.el2.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Keywords ***
Create Machine
    Execute Command           mach create "vlpi-direct"
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv4.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/vlpi-direct.elf
    Create Terminal Tester    ${UART}    timeout=5

*** Test Cases ***
Should Boot At EL2 On A GICv4 With Virtual LPIs
    Create Machine
    Start Emulation
    Wait For Line On Uart     sample: vlpi-direct
    Wait For Line On Uart     el: 2    matchNextLine=true
    Wait For Line On Uart     monitor: gicr_typer vlpis 1, gicd_typer lpis 1
    Wait For Line On Uart     monitor: gits_typer virtual 1 vmovp 1
    Wait For Line On Uart     monitor: gits_baser2 type 2 entry size 8
    Wait For Line On Uart     monitor: vPE 0 resident: vpendbaser valid 1 dirty 0

Resident vPE Should Take The vLPI Directly
    Create Machine
    Start Emulation
    Wait For Line On Uart     guest: el 1
    Wait For Line On Uart     guest: vINTID 8224 taken directly (icv_rpr 0xa0 in the handler)    matchNextLine=true

Non-Resident vPE Should Ring The Doorbell, Then Take The vLPI, Then Pass
    Create Machine
    Start Emulation
    Wait For Line On Uart     guest: vINTID 8224 taken after re-residency (icv_rpr 0xa0)
    Wait For Line On Uart     guest: icv_hppir1 1023 icv_rpr 0xff unexpected 0 spurious 0
    Wait For Line On Uart     monitor: hvc 1: vPE non-resident, pendinglast 0, VPT bit 0
    Wait For Line On Uart     monitor: doorbell 8292 at EL2: vINTID 8224 in the VPT 1    matchNextLine=true
    Wait For Line On Uart     monitor: vPE resident again: vpendbaser valid 1 dirty 0    matchNextLine=true
    Wait For Line On Uart     PASS

INT While Resident And De-Scheduling Should Set PendingLast, CLEAR Should Empty The VPT
    Create Machine
    Start Emulation
    Wait For Line On Uart     monitor: INT then de-schedule: pendinglast 1, VPT bit 1, doorbells 1
    Wait For Line On Uart     monitor: CLEAR: VPT bit 0    matchNextLine=true
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1
