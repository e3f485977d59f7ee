*** Settings ***
Documentation     The virtual CPU interface driven through the list registers: firmware-samples/vgic-lr, a tiny EL2 monitor
...               and an EL1 guest whose ICC_* accesses reach ICV_* (HCR_EL2.IMO/FMO). ICH_VTR/VMCR/ELRSR/MISR, vIRQs
...               through four LRs refilled on the underflow (UIE) maintenance interrupt, through two LRs refilled on EOI
...               maintenance, a physical SPI injected as an HW = 1 LR, and LRENP. The sample needs EL2 entry on a GICv3:
...               platforms/virt-gicv3.repl with each CPU's bootExceptionLevel updated to 2 (a .repl entry with the name and
...               no type updates the earlier one). Expected lines: firmware-samples/expected/vgic-lr.el2.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Keywords ***
Create Machine
    ${repl}=    Catenate    SEPARATOR=\n
    ...    using "platforms/virt-gicv3.repl"
    ...    cpu0:    ${SPACE * 4}bootExceptionLevel: 2
    ...    cpu1:    ${SPACE * 4}bootExceptionLevel: 2
    ...    cpu2:    ${SPACE * 4}bootExceptionLevel: 2
    ...    cpu3:    ${SPACE * 4}bootExceptionLevel: 2
    Execute Command           mach create "vgic-lr"
    Execute Command           machine LoadPlatformDescriptionFromString """${repl}\n"""
    Execute Command           sysbus LoadELF @firmware-samples/build/vgic-lr.elf
    Create Terminal Tester    ${UART}    timeout=5

*** Test Cases ***
Should Enter At EL2 And Read The Virtual Interface's Reset State
    Create Machine
    Start Emulation
    Wait For Line On Uart     sample: vgic-lr
    Wait For Line On Uart     el: 2    matchNextLine=true
    Wait For Line On Uart     monitor: ich_vtr listregs 4 pribits 5 prebits 5 a3v 1 tds 1 nv4 1 seis 0
    Wait For Line On Uart     monitor: ich_hcr 0x0 ich_vmcr 0x4c0008 ich_elrsr 0xf ich_misr 0x0 ich_eisr 0x0
    Wait For Line On Uart     guest: el 1
    Wait For Line On Uart     guest: icv_ctlr pribits 5 a3v 1 eoimode 0
    Wait For Line On Uart     guest: icv_pmr 0xf8 icv_bpr1 3 icv_igrpen1 1 after enabling

Guest Should Take vIRQs From The List Registers By Priority
    Create Machine
    Start Emulation
    Wait For Line On Uart     guest: icv_hppir1 1023 before injection
    Wait For Line On Uart     guest: icv_hppir1 67 after hvc 1
    Wait For Line On Uart     guest: phase 1 order 67 65 64 69 66 68 (rpr 0x80 0x90 0xa0 0x88 0xb0 0xc0)
    Wait For Line On Uart     guest: phase 2 order 81 80 83 84 82 (rpr 0x90 0xa0 0x98 0xa8 0xb0)
    Wait For Line On Uart     guest: vINTID 96: spi 40 active in handler 1, after EOI 0
    Wait For Line On Uart     guest: icv_rpr 0xa0 before EOI of vINTID 100 (in no LR)
    Wait For Line On Uart     guest: unexpected 0 spurious 0

Maintenance Interrupts Should Refill The List Registers, Then Pass
    Create Machine
    Start Emulation
    Wait For Line On Uart     monitor: 7 maintenance interrupts
    Wait For Line On Uart     monitor: hvc 1: filled 4 LRs, ich_elrsr 0x0 misr 0x0
    Wait For Line On Uart     monitor: maint U: misr 0x2 elrsr 0xb refilled 0x3    matchNextLine=true
    Wait For Line On Uart     monitor: maint EOI: misr 0x1 eisr 0x2 refilled 0x2    matchNextLine=true
    Wait For Line On Uart     monitor: spi 40 taken at EL2: injected vINTID 96 with HW=1, pINTID 40
    Wait For Line On Uart     monitor: hvc 4: spi 40 active=1 at injection, now active=0, lr0 state 0
    Wait For Line On Uart     monitor: maint LRENP: misr 0x4 eoicount 1
    Wait For Line On Uart     monitor: ich_elrsr 0xf ich_eisr 0x0 ich_misr 0x0 eoicount 0
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1
