*** Settings ***
Documentation     VMOVP: firmware-samples/vmovp on platforms/virt-gicv4.repl. A resident vPE takes a device's vLPI directly
...               on CPU0; after VMOVP + VSYNC and re-residency on CPU1 the next vLPI follows it there, with no doorbell.
...               Expected lines: firmware-samples/expected/vmovp.el2.txt (recorded from QEMU 7.2, gic-version=4).
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Keywords ***
Create Machine
    Execute Command           mach create "vmovp"
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv4.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/vmovp.elf
    Create Terminal Tester    ${UART}    timeout=5

*** Test Cases ***
Should Deliver On CPU0 Before The Move
    Create Machine
    Start Emulation
    Wait For Line On Uart     monitor: vPE 0 resident on cpu0: vpendbaser valid 1 dirty 0
    Wait For Line On Uart     guest: el 1 on cpu0    matchNextLine=true
    Wait For Line On Uart     guest: vINTID 8224 taken directly on cpu0 (icv_rpr 0xa0 in the handler)    matchNextLine=true

Should Follow The vPE To CPU1 After VMOVP
    Create Machine
    Start Emulation
    Wait For Line On Uart     monitor: VMOVP (single-command form) vPE 0 to cpu1, VSYNC
    Wait For Line On Uart     monitor: cpu0 de-schedules vPE 0: pendinglast 0, VPT bit 0    matchNextLine=true
    Wait For Line On Uart     cpu1: vPE 0 resident: vpendbaser valid 1 dirty 0
    Wait For Line On Uart     cpu1 guest: vINTID 8224 taken directly on cpu1 (icv_rpr 0xa0 in the handler)
    Wait For Line On Uart     monitor: cpu0 vpendbaser valid 0, VPT bit 0, doorbells 0, vLPIs taken 2
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL
