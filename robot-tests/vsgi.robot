*** Settings ***
Documentation     GICv4.1 virtual SGIs: firmware-samples/vsgi on platforms/virt-gicv41.repl (EL2 entry). The EL2 monitor
...               maps the vPE with VMAPP 4.1 and sends vSGIs with the VSGI command and GITS_SGIR; the EL1 guest takes
...               them directly (no active state: no deactivation needed), and a vSGI sent to a non-resident vPE rings
...               the vPE's default doorbell at EL2. Expected lines: firmware-samples/expected/vsgi.el2.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Keywords ***
Create Machine
    Execute Command           mach create "vsgi"
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv41.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/vsgi.elf
    Create Terminal Tester    ${UART}    timeout=5

*** Test Cases ***
Should Boot At EL2 On A GICv4.1 With vSGI Support
    Create Machine
    Start Emulation
    Wait For Line On Uart     sample: vsgi
    Wait For Line On Uart     el: 2    matchNextLine=true
    Wait For Line On Uart     monitor: gicr_typer vlpis 1 rvpeid 1 vsgi 1
    Wait For Line On Uart     monitor: gits_typer virtual 1 vmovp 1 vmapp 1 svpet 1 nid 1
    Wait For Line On Uart     monitor: vPE 0 resident: vpendbaser valid 1 dirty 0

Resident vPE Should Take vSGIs Directly, By Priority, With No Active State
    Create Machine
    Start Emulation
    Wait For Line On Uart     guest: vSGI 2 taken directly (icv_rpr 0x90 in the handler)
    Wait For Line On Uart     guest: vSGI 1 taken directly (icv_rpr 0xa0 in the handler)    matchNextLine=true
    Wait For Line On Uart     guest: after EOI, no DIR: icv_rpr 0xff icv_hppir1 1023    matchNextLine=true
    Wait For Line On Uart     guest: vSGI 1 taken again, never deactivated (icv_rpr 0xa0)    matchNextLine=true
    Wait For Line On Uart     guest: icv_hppir1 1023 icv_rpr 0xff unexpected 0 spurious 0

Non-Resident vPE Should Ring The Default Doorbell, Then Pass
    Create Machine
    Start Emulation
    Wait For Line On Uart     guest: vSGI 1 taken after re-residency (icv_rpr 0xa0)
    Wait For Line On Uart     monitor: de-schedule without DB: pendinglast 0
    Wait For Line On Uart     monitor: vSGI 3 sent: vsgipendr 0x8; VSGI Clear: vsgipendr 0x0; doorbells 1
    Wait For Line On Uart     monitor: hvc 3: vPE non-resident with DB, pendinglast 0; GITS_SGIR vSGI 1: vsgipendr 0x2
    Wait For Line On Uart     monitor: default doorbell 8292 at EL2: vsgipendr 0x2    matchNextLine=true
    Wait For Line On Uart     monitor: vPE resident again: vpendbaser valid 1 dirty 0    matchNextLine=true
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1
